import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { modelCardSchema } from '@meridian/models';
import { CATALOG, SAMPLES, type Sample } from './catalog';
import { renderModels } from './generate';

const MODELS_DIR = path.resolve(__dirname, '../../../models');

function tensorFrom(value: unknown): ort.Tensor {
  const dims: number[] = [];
  for (let level: unknown = value; Array.isArray(level); level = level[0]) dims.push(level.length);
  return new ort.Tensor('float32', Float32Array.from((value as unknown[]).flat(Infinity) as number[]), dims);
}

async function score(modelFile: string, sample: Sample): Promise<number> {
  const session = await ort.InferenceSession.create(modelFile);
  try {
    const feeds = Object.fromEntries(Object.entries(sample.input).map(([name, value]) => [name, tensorFrom(value)]));
    const outputs = await session.run(feeds);
    return Number(outputs[sample.expect.output]!.data[sample.expect.index]);
  } finally {
    await session.release();
  }
}

describe('generated ONNX models', () => {
  it('are deterministic and identical to the committed models/ tree', async () => {
    const first = renderModels();
    const second = renderModels();
    expect([...first.keys()].sort()).toEqual([...second.keys()].sort());
    for (const [file, bytes] of first) {
      expect(second.get(file)!.equals(bytes), `${file} differs between two runs`).toBe(true);
      const committed = await fs.readFile(path.join(MODELS_DIR, file));
      expect(committed.equals(bytes), `models/${file} is not what the generator writes (run npm run models:generate)`).toBe(true);
    }
    const index = JSON.parse(first.get('index.json')!.toString('utf8')) as { path: string; sha256: string; size: number }[];
    expect(index).toHaveLength(CATALOG.length);
    for (const entry of index) {
      const bytes = first.get(entry.path)!;
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(entry.sha256);
      expect(bytes.length).toBe(entry.size);
    }
  });

  it('ship cards that satisfy the model card schema with governed input categories', () => {
    const files = renderModels();
    for (const entry of CATALOG) {
      const card = modelCardSchema.parse(JSON.parse(files.get(`${entry.name}/${entry.version}/card.json`)!.toString('utf8')));
      expect(card.inputCategories[0]).toBe(entry.name === 'pump-anomaly' ? 'equipment_telemetry' : 'inspection_images');
      expect(card.inputs.map((i) => i.name)).toEqual(entry.graph.inputs.map((i) => i.name));
      expect(card.outputs.map((o) => o.name)).toEqual(entry.graph.outputs.map((o) => o.name));
    }
  });

  it('answer the samples as their expectations say in ONNX Runtime', async () => {
    const results: Record<string, number> = {};
    for (const entry of CATALOG.filter((e) => !e.broken)) {
      for (const sample of SAMPLES[entry.name]!) {
        const value = await score(path.join(MODELS_DIR, entry.name, entry.version, 'model.onnx'), sample);
        results[`${entry.name}@${entry.version}:${sample.name}`] = value;
        if (sample.expect.above !== undefined) expect(value, `${entry.name}@${entry.version} ${sample.name}`).toBeGreaterThan(sample.expect.above);
        if (sample.expect.below !== undefined) expect(value, `${entry.name}@${entry.version} ${sample.name}`).toBeLessThan(sample.expect.below);
      }
    }
    // The brief's thresholds, spelled out: anomalous > 0.9, normal < 0.2, the scratch is a defect.
    expect(results['pump-anomaly@1.0.0:anomalous']).toBeGreaterThan(0.9);
    expect(results['pump-anomaly@1.0.0:normal']).toBeLessThan(0.2);
    expect(results['inspection-classifier@1.0.0:defect']).toBeGreaterThan(0.9);
    expect(results['inspection-classifier@1.0.0:ok']).toBeLessThan(0.2);
    // Two versions of one model answer differently, so a test can tell which one served.
    expect(results['pump-anomaly@1.0.0:normal']).not.toBe(results['pump-anomaly@1.1.0:normal']);
  });

  it('include a broken artifact that ONNX Runtime refuses to load', async () => {
    await expect(ort.InferenceSession.create(path.join(MODELS_DIR, 'pump-anomaly', 'broken', 'model.onnx'))).rejects.toThrow(/undefined_value/);
  });
});
