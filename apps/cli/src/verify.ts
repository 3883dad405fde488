#!/usr/bin/env node
// `meridian-verify <bundle> …`: shorthand for `meridian audit verify`.
import { auditVerify } from './audit-verify';

void auditVerify(process.argv.slice(2), { stdout: (text) => process.stdout.write(text), stderr: (text) => process.stderr.write(text) }).then((code) => (process.exitCode = code));
