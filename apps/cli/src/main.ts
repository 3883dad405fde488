#!/usr/bin/env node
import { AUDIT_VERIFY_USAGE, auditVerify, type CommandOutput } from './audit-verify';
import { MODELS_PUSH_USAGE, modelsPush } from './models-push';

const USAGE = `usage: meridian <command>

commands:
  audit verify <bundle.jsonl.gz> [--trusted-key <keyId>=<base64>]... [--since <earlier bundle>] [--json]
      verify an audit export bundle offline (see \`meridian audit verify --help\`)
  models push --model <name> --version <semver> --card <card.json> --artifact <model.onnx> [--publish]
      register a model version with the control plane, for release pipelines (see \`meridian models push --help\`)

Installed also as \`meridian-verify <bundle.json> …\`, a shorthand for \`meridian audit verify\`.`;

export async function run(argv: string[], out: CommandOutput): Promise<number> {
  const [group, command, ...rest] = argv;
  if (!group || group === '-h' || group === '--help') {
    out.stdout(`${USAGE}\n`);
    return group ? 0 : 2;
  }
  if (group === 'audit' && command === 'verify') return auditVerify(rest, out);
  if (group === 'models' && command === 'push') return modelsPush(rest, out);
  if (group === 'models') {
    out.stderr(`meridian models: unknown command ${command ?? '(none)'}\n\n${MODELS_PUSH_USAGE}\n`);
    return 2;
  }
  if (group === 'audit') {
    out.stderr(`meridian audit: unknown command ${command ?? '(none)'}\n\n${AUDIT_VERIFY_USAGE}\n`);
    return 2;
  }
  out.stderr(`meridian: unknown command ${group}\n\n${USAGE}\n`);
  return 2;
}

if (require.main === module) {
  const out: CommandOutput = { stdout: (text) => process.stdout.write(text), stderr: (text) => process.stderr.write(text) };
  void run(process.argv.slice(2), out).then((code) => (process.exitCode = code));
}
