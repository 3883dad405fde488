#!/usr/bin/env node
// `meridian-verify <bundle.json> …`: shorthand for `meridian audit verify`.
import { auditVerify } from './audit-verify';

process.exitCode = auditVerify(process.argv.slice(2), { stdout: (text) => process.stdout.write(text), stderr: (text) => process.stderr.write(text) });
