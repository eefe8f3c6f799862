import { loadModel, printDiagnostics } from './load-model.ts';
import { describeDatabase, migrateStorage, openStorage, printRefusal } from './open-storage.ts';

/** Options of `archspec migrate`. */
export interface MigrateOptions {
  allowDestructive?: boolean;
}

/**
 * `archspec migrate <spec>`: brings the database (DATABASE_URL, else the embedded SQLite file) to the
 * spec's data model and prints the statements applied. Exit 0 when the schema is current, 1 when the
 * spec has errors or destructive changes were refused (nothing is applied then), 2 when the database
 * cannot be reached.
 */
export async function migrateCommand(specFile: string, options: MigrateOptions, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const { model, diagnostics } = await loadModel(specFile);
  printDiagnostics(diagnostics, 'text');
  if (!model) return 1;
  const { storage, config } = await openStorage(model, specFile, env);
  try {
    const report = await migrateStorage(storage, config, options.allowDestructive === true);
    if (report.refused) {
      printRefusal(report, specFile);
      return 1;
    }
    for (const statement of report.applied) process.stdout.write(`${statement};\n`);
    const what = report.applied.length ? `applied ${report.applied.length} statement${report.applied.length === 1 ? '' : 's'}` : 'already up to date';
    process.stdout.write(`${describeDatabase(config)}: ${what} (schema version ${report.version}).\n`);
    return 0;
  } finally {
    await storage.close();
  }
}
