/**
 * `npm run audit:verify`: checks the audit trail's hash chain against the database alone
 * (DATABASE_URL, or the embedded database in SILVER_DATA_DIR, which only one process can open:
 * stop the system first). Prints the outcome as JSON; exits 0 when intact, 1 when broken.
 */
import fs from 'node:fs';
import { openDatabase } from '../prisma/database';
import { verifyAuditChain } from '../records/audit';
import { databaseTarget, loadConfig } from '../system/config';

async function main(): Promise<number> {
  const target = databaseTarget(loadConfig());
  if ('pgliteDir' in target && !fs.existsSync(target.pgliteDir)) throw new Error(`there is no database in ${target.pgliteDir}`);
  const db = await openDatabase(target);
  try {
    const result = await verifyAuditChain(db.prisma);
    console.log(JSON.stringify(result));
    if (!result.ok) {
      console.error(
        result.firstBrokenEventId
          ? `The audit trail has been altered: event ${result.firstBrokenEventId} does not follow from the one before it.`
          : 'The audit trail has been altered: its newest events are missing.',
      );
    }
    return result.ok ? 0 : 1;
  } finally {
    await db.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    console.error(`The audit trail could not be checked: ${err.message}`);
    process.exit(2);
  },
);
