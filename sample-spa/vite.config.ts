import { defineConfig } from 'vite';

// The dev server on localhost, the same site as the sample's API on localhost:8080: the session
// cookie is only sent where the two are same-site (docs/client.md, "Single-page apps").
export default defineConfig({
	server: { host: 'localhost', port: 5173, strictPort: true },
	preview: { host: 'localhost', port: 5173, strictPort: true }
});
