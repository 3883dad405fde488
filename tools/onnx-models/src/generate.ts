import { createHash } from 'node:crypto';
import { CATALOG, SAMPLES } from './catalog';
import { encodeModel } from './onnx';

/** The models/ tree, relative path → bytes. Pure: nothing is read or written here. */
export function renderModels(): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  const json = (value: unknown) => Buffer.from(`${JSON.stringify(value, null, 2)}\n`, 'utf8');
  const index: { name: string; version: string; path: string; sha256: string; size: number; broken: boolean }[] = [];
  for (const entry of CATALOG) {
    const dir = `${entry.name}/${entry.version}`;
    const model = encodeModel(entry.graph, entry.version);
    files.set(`${dir}/model.onnx`, model);
    files.set(`${dir}/card.json`, json(entry.card));
    index.push({ name: entry.name, version: entry.version, path: `${dir}/model.onnx`, sha256: createHash('sha256').update(model).digest('hex'), size: model.length, broken: entry.broken ?? false });
  }
  for (const [name, samples] of Object.entries(SAMPLES)) files.set(`${name}/samples.json`, json(samples));
  files.set('index.json', json(index));
  return files;
}
