/**
 *   npm run db:migrate                 apply pending migrations (DATABASE_URL, else the embedded db)
 *   npm run db:migration -- <name>     write prisma/migrations/<timestamp>_<name>/migration.sql
 */
import fs from 'node:fs';
import path from 'node:path';
import { openDatabase } from '../prisma/database';
import { diffSchemaFromMigrations, migrateDatabase, MIGRATIONS_DIR } from '../prisma/migrate';
import { databaseTarget, loadConfig } from '../system/config';

async function main(): Promise<void> {
  const [command, name] = process.argv.slice(2);
  if (command === 'create') {
    if (!name || !/^[a-z0-9_]+$/.test(name)) {
      throw new Error('usage: npm run db:migration -- <name>   (lower-case letters, digits and _)');
    }
    // The diff replays the committed migrations on a throw-away in-memory database.
    const shadow = await openDatabase({ memory: true });
    try {
      const sql = await diffSchemaFromMigrations(shadow.adapterFactory);
      if (!sql) {
        console.log('The schema matches the migrations: nothing to write.');
        return;
      }
      const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
      const dir = path.join(MIGRATIONS_DIR, `${stamp}_${name}`);
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, 'migration.sql'), sql);
      const lock = path.join(MIGRATIONS_DIR, 'migration_lock.toml');
      if (!fs.existsSync(lock)) fs.writeFileSync(lock, 'provider = "postgresql"\n');
      console.log(`Wrote ${path.relative(process.cwd(), dir)}/migration.sql`);
    } finally {
      await shadow.close();
    }
    return;
  }
  if (command === 'apply') {
    const config = loadConfig();
    const target = databaseTarget(config);
    const db = await openDatabase(target);
    try {
      const applied = await migrateDatabase(db, target, () =>
        console.log('Another process is migrating this database: waiting for it ...'),
      );
      console.log(applied.length ? `Applied: ${applied.join(', ')}` : 'The database is up to date.');
    } finally {
      await db.close();
    }
    return;
  }
  throw new Error('usage: npm run db:migrate | npm run db:migration -- <name>');
}

main().catch((err) => {
  console.error((err as Error).message ?? err);
  process.exit(1);
});
