import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';

/**
 * No Helm binary here: the chart is checked statically. Templates are parsed as YAML once their
 * template actions are neutralised, values are validated against values.schema.json, every
 * .Values path a template uses exists, and every environment variable a pod gets is one the apps read.
 */
const chart = path.resolve(__dirname, '../../helm/meridian');
const templatesDir = path.join(chart, 'templates');
const values = parse(readFileSync(path.join(chart, 'values.yaml'), 'utf8')) as Record<string, unknown>;
const schema = JSON.parse(readFileSync(path.join(chart, 'values.schema.json'), 'utf8')) as object;
const templateFiles = readdirSync(templatesDir).filter((f) => f.endsWith('.yaml'));
const allTemplateText = readdirSync(templatesDir)
  .map((f) => readFileSync(path.join(templatesDir, f), 'utf8'))
  .join('\n');

/** Drops lines that are only template actions and replaces inline actions with a scalar. */
function neutralise(text: string): string {
  return text
    .split('\n')
    .filter((line) => !/^\s*\{\{-?[^}]*-?\}\}\s*$/.test(line))
    .map((line) => line.replace(/\{\{-?[^}]*?-?\}\}/g, 'TEMPLATE'))
    .join('\n');
}

function renderedDocuments() {
  return templateFiles.flatMap((file) =>
    parseAllDocuments(neutralise(readFileSync(path.join(templatesDir, file), 'utf8'))).map((doc) => ({ file, doc })),
  );
}

function configVariables(): Set<string> {
  const source = readFileSync(path.resolve(__dirname, '../../libs/config/src/config.ts'), 'utf8');
  const start = source.indexOf('const envSchema = z.object({');
  return new Set([...source.slice(start, source.indexOf('});', start)).matchAll(/^ {2}([A-Z][A-Z0-9_]+):/gm)].map((m) => m[1]!));
}

describe('helm chart', () => {
  it('has parseable Chart.yaml and values.yaml', () => {
    const meta = parse(readFileSync(path.join(chart, 'Chart.yaml'), 'utf8')) as { apiVersion: string; name: string; version: string };
    expect(meta).toMatchObject({ apiVersion: 'v2', name: 'meridian' });
    expect(meta.version).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('validates values.yaml against values.schema.json, and the schema catches mistakes', () => {
    const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
    expect(validate(values), JSON.stringify(validate.errors)).toBe(true);
    const broken = structuredClone(values) as any;
    broken.image.pullPolicy = 'Sometimes';
    broken.api.autoscaling.maxReplicas = 0;
    broken.unknownTopLevel = true;
    broken.tracing = { enabled: true, otlpEndpoint: 'not-a-url' };
    expect(validate(broken)).toBe(false);
    expect(validate.errors!.map((e) => e.instancePath || e.params).length).toBeGreaterThanOrEqual(4);
  });

  it('parses every template as Kubernetes YAML', () => {
    const documents = renderedDocuments();
    for (const { file, doc } of documents) {
      expect(doc.errors, file).toEqual([]);
      const object = doc.toJS() as { apiVersion?: string; kind?: string } | null;
      expect(object?.apiVersion, file).toBeTruthy();
      expect(object?.kind, file).toBeTruthy();
    }
    const kinds = documents.map(({ doc }) => (doc.toJS() as { kind: string }).kind).sort();
    expect(kinds).toEqual(
      ['ConfigMap', 'Deployment', 'Deployment', 'HorizontalPodAutoscaler', 'HorizontalPodAutoscaler', 'Ingress', 'Ingress', 'Job', 'PersistentVolumeClaim', 'PodDisruptionBudget', 'PodDisruptionBudget', 'Service', 'ServiceAccount'].sort(),
    );
  });

  it('uses only values that exist in values.yaml', () => {
    const used = [...new Set([...allTemplateText.matchAll(/\.Values\.([A-Za-z0-9_.]+)/g)].map((m) => m[1]!))];
    expect(used.length).toBeGreaterThan(30);
    const missing = used.filter((p) => p.split('.').reduce<unknown>((node, key) => (node && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined), values) === undefined);
    expect(missing).toEqual([]);
  });

  it('gives pods only environment variables the apps read', () => {
    const known = configVariables();
    const names = [...allTemplateText.matchAll(/- name: ([A-Z][A-Z0-9_]+)/g)].map((m) => m[1]!);
    const configMapKeys = [...readFileSync(path.join(templatesDir, 'configmap.yaml'), 'utf8').matchAll(/^ {2}([A-Z][A-Z0-9_]+):/gm)].map((m) => m[1]!);
    expect(names.length + configMapKeys.length).toBeGreaterThan(15);
    expect([...names, ...configMapKeys].filter((name) => !known.has(name))).toEqual([]);
  });

  it('runs migrations as a pre-install/pre-upgrade hook and probes the API', () => {
    const job = readFileSync(path.join(templatesDir, 'migration-job.yaml'), 'utf8');
    expect(job).toMatch(/"helm.sh\/hook": pre-install,pre-upgrade/);
    expect(job).toMatch(/tools\/prisma-migrate\/run.mjs", "deploy"/);
    const api = readFileSync(path.join(templatesDir, 'api-deployment.yaml'), 'utf8');
    expect(api).toMatch(/readinessProbe:\s+httpGet: \{ path: \/readyz/);
    expect(api).toMatch(/livenessProbe:\s+httpGet: \{ path: \/healthz/);
    for (const file of ['api-deployment.yaml', 'worker-deployment.yaml']) {
      expect(readFileSync(path.join(templatesDir, file), 'utf8'), file).toMatch(/resources:\s+\{\{- toYaml \.Values\.(api|worker)\.resources/);
    }
    expect(readFileSync(path.join(templatesDir, 'NOTES.txt'), 'utf8')).toMatch(/Agent gRPC/);
  });
});
