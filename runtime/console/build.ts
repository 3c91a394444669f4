/**
 * Builds the web console's browser app: bundles runtime/console/ui/main.tsx
 * (Preact + uPlot, with uPlot's CSS and the console's stylesheet) into
 * dist/console/{index.html, app.js, app.js.map, app.css}.
 *
 *   node runtime/console/build.ts [outDir]
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const ENTRY = fileURLToPath(new URL('./ui/main.tsx', import.meta.url));
/** DEFAULT_OUT_DIR is where the console server looks for the bundle. */
export const DEFAULT_OUT_DIR = join(ROOT, 'dist', 'console');

const INDEX_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="color-scheme" content="light dark">
<title>Fluxora console</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="./app.css">
<script type="module" src="./app.js"></script>
</head>
<body>
<div id="app"><p style="padding:1rem;font-family:system-ui,sans-serif">Loading…</p></div>
<noscript><p>The Fluxora console needs JavaScript.</p></noscript>
</body>
</html>
`;

function kb(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} kB`;
}

/** buildConsole bundles the console into outDir (default dist/console), replacing what is there. */
export async function buildConsole(outDir: string = DEFAULT_OUT_DIR): Promise<void> {
  const out = resolve(outDir);
  await rm(out, { recursive: true, force: true });
  await mkdir(out, { recursive: true });
  await build({
    entryPoints: { app: ENTRY },
    outdir: out,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    sourcemap: 'linked',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    define: { 'process.env.NODE_ENV': '"production"' },
    legalComments: 'eof',
    logLevel: 'silent',
    absWorkingDir: ROOT,
  });
  await writeFile(join(out, 'index.html'), INDEX_HTML);
  const js = await readFile(join(out, 'app.js'));
  const css = await readFile(join(out, 'app.css'));
  console.log(
    `console built: ${relative(process.cwd(), out) || '.'}/ app.js ${kb(js.length)} (${kb(gzipSync(js).length)} gzip), app.css ${kb(css.length)} (${kb(gzipSync(css).length)} gzip)`,
  );
}

const invoked = import.meta.main ?? (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url));
if (invoked) {
  buildConsole(process.argv[2]).catch((err: unknown) => {
    const e = err as { errors?: { text: string; location?: { file: string; line: number; column: number } | null }[]; message?: string };
    if (Array.isArray(e.errors) && e.errors.length > 0) {
      for (const m of e.errors) console.error(m.location ? `${m.location.file}:${m.location.line}:${m.location.column}: ${m.text}` : m.text);
    } else console.error(err);
    process.exit(1);
  });
}
