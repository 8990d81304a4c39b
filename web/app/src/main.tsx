/** Browser entry: Leaflet's stylesheet from the npm package (no CDN), the app's styles, the React root. */
import './zod-without-eval.js';
import 'leaflet/dist/leaflet.css';
import './styles.css';
import './map/basemap.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.js';

const container = document.getElementById('root');
if (!container) throw new Error('index.html has no #root element');
createRoot(container).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
