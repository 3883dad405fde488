import { promises as fs } from 'node:fs';
import path from 'node:path';
import { renderModels } from './generate';

/**
 * Writes models/ (or, with --check, verifies that the committed files are exactly what the
 * generator produces). Usage: node tools/onnx-models/dist/main.js [--check] [--out <dir>]
 */
async function main(argv: string[]): Promise<number> {
  const check = argv.includes('--check');
  const outIndex = argv.indexOf('--out');
  const unknown = argv.filter((arg, i) => arg !== '--check' && arg !== '--out' && argv[i - 1] !== '--out');
  if (unknown.length || (outIndex !== -1 && !argv[outIndex + 1])) {
    process.stderr.write('usage: main.js [--check] [--out <dir>]\n');
    return 64;
  }
  const outDir = path.resolve(outIndex === -1 ? path.join(__dirname, '..', '..', '..', 'models') : argv[outIndex + 1]!);
  const files = renderModels();
  const differing: string[] = [];
  for (const [relative, bytes] of files) {
    const target = path.join(outDir, relative);
    if (check) {
      const existing = await fs.readFile(target).catch(() => undefined);
      if (!existing || !existing.equals(bytes)) differing.push(relative);
      continue;
    }
    await fs.mkdir(path.dirname(target), { recursive: true });
    await fs.writeFile(target, bytes);
  }
  if (check) {
    if (differing.length) {
      process.stderr.write(`models/ differs from the generator: ${differing.join(', ')}\nrun: npm run models:generate\n`);
      return 1;
    }
    process.stdout.write(`models/ matches the generator (${files.size} files)\n`);
    return 0;
  }
  process.stdout.write(`wrote ${files.size} files to ${outDir}\n`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${String((error as Error)?.stack ?? error)}\n`);
    process.exit(1);
  },
);
