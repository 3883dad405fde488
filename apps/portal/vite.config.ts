import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// In development the portal runs on Vite's server and forwards API calls to the control plane
// (MERIDIAN_API_URL, default the `npm start` one); in production the control plane serves dist/.
const api = process.env.MERIDIAN_API_URL ?? 'http://127.0.0.1:3000';

export default defineConfig({
  plugins: [react()],
  server: {
    port: Number(process.env.PORTAL_DEV_PORT ?? 5173),
    strictPort: true,
    proxy: { '/v1': api, '/openapi.json': api, '/healthz': api, '/readyz': api },
  },
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true, chunkSizeWarningLimit: 800 },
});
