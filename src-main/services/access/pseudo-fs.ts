/**
 * Kernel pseudo-filesystems (/proc, /sys, /dev, cgroups, ...): their files have no end (/dev/zero),
 * change while read, or recurse forever (mkdir -p under /proc). Nothing of a study lives there.
 * Detected by the filesystem's magic number (statfs) where the platform reports one, and by the
 * well-known mount points (devtmpfs shares tmpfs's magic number, so /dev is named by path).
 */
import { statfsSync } from 'node:fs';
import { dirname } from 'node:path';

/** Linux statfs f_type values of filesystems that hold no user files. */
const LINUX_PSEUDO_MAGIC: ReadonlyMap<number, string> = new Map([
  [0x9fa0, 'proc'],
  [0x62656572, 'sysfs'],
  [0x1cd1, 'devpts'],
  [0x27e0eb, 'cgroup'],
  [0x63677270, 'cgroup2'],
  [0x64626720, 'debugfs'],
  [0x74726163, 'tracefs'],
  [0x73636673, 'securityfs'],
  [0x62656570, 'configfs'],
  [0xcafe4a11, 'bpf'],
  [0x6165676c, 'pstore'],
  [0xde5e81e4, 'efivarfs'],
  [0x65735543, 'fusectl'],
]);

const PSEUDO_MOUNTS = ['/proc', '/sys', '/dev'];

/** The pseudo-filesystem `realPath` (symbolic links already resolved) lies on, or null. */
export function pseudoFilesystemOf(realPath: string, platform: NodeJS.Platform = process.platform): string | null {
  if (platform === 'win32') return null;
  for (const m of PSEUDO_MOUNTS) if (realPath === m || realPath.startsWith(`${m}/`)) return m.slice(1);
  if (platform !== 'linux') return null;
  // statfs of the nearest existing ancestor: a folder to be created lands on its parent's filesystem.
  for (let p = realPath; ; p = dirname(p)) {
    try {
      return LINUX_PSEUDO_MAGIC.get(Number(statfsSync(p).type)) ?? null;
    } catch {
      if (dirname(p) === p) return null;
    }
  }
}
