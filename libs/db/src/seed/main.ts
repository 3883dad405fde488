import { loadConfigOrExit } from '@meridian/config';
import { createPrismaClient } from '../client';
import { formatSeedSummary, seedDemo } from './demo';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const owner = createPrismaClient({ url: config.database.ownerUrl, poolSize: 2, applicationName: 'meridian-seed' });
  try {
    const result = await seedDemo(owner);
    process.stdout.write(`${formatSeedSummary(result)}\n`);
  } finally {
    await owner.$disconnect();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`seed failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
