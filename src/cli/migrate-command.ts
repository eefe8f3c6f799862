import { loadModel, printDiagnostics } from './load-model.ts';
import { describeDatabase, migrateStorage, openStorage, printRefusal } from './open-storage.ts';

/** Options of `archspec migrate`. */
export interface MigrateOptions {
  allowDestructive?: boolean;
  /** Print the statements a migration would run and apply nothing. */
  dryRun?: boolean;
}

const count = (n: number) => `${n} statement${n === 1 ? '' : 's'}`;

/**
 * `archspec migrate <spec>`: brings the database (DATABASE_URL, else the embedded SQLite file) to the
 * spec's data model and prints the statements applied. With `--dry-run` it prints the statements a
 * migration would run (and the destructive changes among them) and changes nothing. Exit 0 when the
 * schema is current (or, in a dry run, could be brought current), 1 when the spec has errors or
 * destructive changes were (or would be) refused (nothing is applied then), 2 when the database
 * cannot be reached.
 */
export async function migrateCommand(specFile: string, options: MigrateOptions, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const { model, diagnostics } = await loadModel(specFile);
  printDiagnostics(diagnostics, 'text');
  if (!model) return 1;
  const { storage, config } = await openStorage(model, specFile, env);
  const allowDestructive = options.allowDestructive === true;
  try {
    const report = await migrateStorage(storage, config, allowDestructive, options.dryRun);
    if (report.refused) {
      printRefusal(report, specFile);
      if (options.dryRun) process.stderr.write('dry run: nothing was applied (add --allow-destructive to see the statements it would run).\n');
      return 1;
    }
    for (const statement of report.applied) process.stdout.write(`${statement};\n`);
    if (options.dryRun) {
      for (const change of report.destructive) process.stdout.write(`destructive (allowed): ${change}\n`);
      const what = report.applied.length ? `would apply ${count(report.applied.length)} (schema version ${report.version} -> ${report.version + 1})` : `already up to date (schema version ${report.version})`;
      process.stdout.write(`${describeDatabase(config)}: dry run, nothing was applied; ${what}.\n`);
      return 0;
    }
    const what = report.applied.length ? `applied ${count(report.applied.length)}` : 'already up to date';
    process.stdout.write(`${describeDatabase(config)}: ${what} (schema version ${report.version}).\n`);
    return 0;
  } finally {
    await storage.close();
  }
}
