import { mount } from 'svelte';
import App from './App.svelte';
import LanParticipantPage from './views/study/LanParticipantPage.svelte';
import { isLanPage } from './lib/api';
import './app.css';

// A study's LAN link (`/p/<token>/`, docs/lan.md) is the participant screen alone; everything else is the app.
mount(isLanPage ? LanParticipantPage : App, { target: document.getElementById('app')! });
