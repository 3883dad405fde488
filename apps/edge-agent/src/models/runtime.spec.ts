import { describe, expect, it } from 'vitest';
import { modelFiles, samples } from '../../test/model-fixtures';
import { LoadedModel, ModelInputError } from './runtime';

describe('LoadedModel (ONNX Runtime)', () => {
  const pump = modelFiles('pump-anomaly', '1.0.0');
  const inspection = modelFiles('inspection-classifier', '1.0.0');

  it('loads, warms up and runs the generated models with the expected answers', async () => {
    const model = await LoadedModel.load(pump.artifact, pump.card);
    const out = await model.run(model.prepare(samples('pump-anomaly').anomalous!.input));
    expect(out.anomaly_score!.dims).toEqual([1, 1]);
    expect(out.anomaly_score!.data[0]).toBeGreaterThan(0.9);
    // A flat array that fits [-1, 4] is accepted as two rows.
    const batch = await model.run(model.prepare({ features: [2, 0.5, 55, 12, 4.5, 1.4, 78, 16] }));
    expect(batch.anomaly_score!.dims).toEqual([2, 1]);
    expect(batch.anomaly_score!.data[0]).toBeLessThan(0.2);
    expect(batch.anomaly_score!.data[1]).toBeGreaterThan(0.9);
    await model.release();

    const classifier = await LoadedModel.load(inspection.artifact, inspection.card);
    const defect = await classifier.run(classifier.prepare(samples('inspection-classifier').defect!.input));
    expect(defect.probabilities!.data[1]).toBeGreaterThan(0.9);
    await classifier.release();
  });

  it('names the tensor when the input does not fit the card', async () => {
    const model = await LoadedModel.load(pump.artifact, pump.card);
    const refused = (input: Record<string, unknown>) => {
      try {
        model.prepare(input);
      } catch (error) {
        expect(error).toBeInstanceOf(ModelInputError);
        return (error as Error).message;
      }
      throw new Error('accepted');
    };
    expect(refused({})).toBe('input.features: missing (the model takes features)');
    expect(refused({ features: [[1, 2, 3, 4]], extra: [1] })).toMatch(/^input.extra: the model has no input named extra/);
    expect(refused({ features: [[1, 2, 3]] })).toBe('input.features: expected a float32 tensor of shape [-1,4] (-1 = any size), got shape [1,3]');
    expect(refused({ features: [[1, 2, 3, 4], [1, 2]] })).toMatch(/^input.features\[1\]: ragged array/);
    expect(refused({ features: [1, 2, 3] })).toMatch(/a flat array of 3 elements does not fit/);
    expect(refused({ features: [[1, 2, null, 4]] })).toBe('input.features: element 2 is not a finite number');
    expect(refused({ features: 'abc' })).toMatch(/as nested arrays, got string/);
    await model.release();
  });

  it('refuses an artifact ONNX Runtime cannot load, and a card that does not describe the graph', async () => {
    const broken = modelFiles('pump-anomaly', 'broken');
    await expect(LoadedModel.load(broken.artifact, broken.card)).rejects.toThrow(/^ONNX Runtime cannot load the artifact: .*undefined_value/);
    await expect(LoadedModel.load(pump.artifact, inspection.card)).rejects.toThrow('the graph takes inputs [features] but the card declares [image]');
    await expect(LoadedModel.load(Buffer.from('not onnx at all'), pump.card)).rejects.toThrow(/^ONNX Runtime cannot load the artifact/);
  });
});
