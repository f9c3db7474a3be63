/**
 * `npm run backup -- FILE`: asks the embedded system running on SILVER_DATA_DIR for a consistent
 * copy of its database, Temporal state and keys, written to FILE (mode 0600). `npm run restore --
 * FILE` rebuilds a data dir from it. See "Backups" in the README.
 */
import path from 'node:path';
import { BackupError, RestoreError, requestBackup, restoreBackup } from '../system/backup';
import { ConfigError, loadConfig } from '../system/config';

const USAGE = { backup: 'npm run backup -- FILE', restore: 'npm run restore -- FILE' };

async function main(operation: string, file: string | undefined): Promise<string> {
  if (operation !== 'backup' && operation !== 'restore') throw new BackupError('use backup or restore');
  if (!file || process.argv.length > 4) throw new BackupError(`Usage: ${USAGE[operation]}`);
  const config = loadConfig();
  if (config.databaseUrl || config.temporal.address) {
    throw new BackupError(
      `${operation} is for the embedded system; with DATABASE_URL or TEMPORAL_ADDRESS set, the PostgreSQL server and the ` +
        'Temporal cluster keep the state: back them up as the README says under "Backups"',
    );
  }
  const at = path.resolve(file);
  if (operation === 'backup') {
    const { bytes, pausedMs } = await requestBackup(config.dataDir, at);
    return `Backup of ${config.dataDir} written to ${at} (${(bytes / 1e6).toFixed(1)} MB; database statements held for ${pausedMs} ms)`;
  }
  const manifest = await restoreBackup(at, config.dataDir);
  return `${config.dataDir} rebuilt from the backup taken at ${manifest.takenAt}; start it with npm start`;
}

main(process.argv[2], process.argv[3]).then(
  (done) => {
    console.log(done);
    process.exit(0);
  },
  (err: Error) => {
    const known = err instanceof BackupError || err instanceof RestoreError || err instanceof ConfigError;
    console.error(`${process.argv[2] === 'restore' ? 'Restore' : 'Backup'} failed: ${known ? err.message : (err.stack ?? String(err))}`);
    process.exit(1);
  },
);
