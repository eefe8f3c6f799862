import { Command, Option } from 'commander';
import { runCommand } from './run-command.ts';
import type { InitOptions } from './init-command.ts';
import type { ServeOptions } from './serve-command.ts';
import type { MigrateOptions } from './migrate-command.ts';
import type { KeysOptions } from './keys-command.ts';
import type { EventsListOptions, EventsRedriveOptions } from './events-command.ts';
import type { AuditListOptions, AuditVerifyOptions } from './audit-command.ts';

// Each command's module is imported when that command runs: `design` should not pay for loading
// the HTTP server, database drivers and prompts it never uses (start-up is part of its budget).

const program = new Command('archspec')
  .description('Executable system design: one spec file becomes a design document (and later a running system).')
  .version('0.1.0')
  .option('--debug', 'print stack traces of unexpected errors')
  // Usage mistakes (unknown option, missing argument) exit 2 like other operational errors; 1 means "the spec has errors".
  .exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : 2));

program
  .command('check')
  .description('validate a spec and report every problem with file:line:column')
  .argument('<spec>', 'archspec.yaml or archspec.config.ts')
  .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
  .action(runCommand(program, (spec: string, opts: { format: 'text' | 'json' }) => import('./check-command.ts').then((m) => m.checkCommand(spec, opts))));

program
  .command('design')
  .description('render the design document with diagrams and computed analyses')
  .argument('<spec>', 'archspec.yaml or archspec.config.ts')
  .option('-o, --output <file>', 'write to a file instead of stdout')
  .addOption(new Option('--format <format>', 'document format (default: from the -o extension, else md)').choices(['md', 'html']))
  .action(runCommand(program, (spec: string, opts: { output?: string; format?: 'md' | 'html' }) => import('./design-command.ts').then((m) => m.designCommand(spec, opts))));

program
  .command('schema')
  .description('print the JSON Schema of the spec language (for editor completion)')
  .option('-o, --output <file>', 'write to a file instead of stdout')
  .action(runCommand(program, (opts: { output?: string }) => import('./schema-command.ts').then((m) => m.schemaCommand(opts))));

program
  .command('init')
  .description('ask the template\'s key questions and write a valid, commented starter spec')
  .argument('[dir]', 'directory to create the spec in', '.')
  .option('--name <name>', 'system name')
  .option('--type <type>', 'system type, e.g. "URL shortener"')
  .option('--purpose <purpose>', 'what the system will do')
  .addOption(new Option('--style <style>', 'architecture style').choices(['modular-monolith', 'microservices', 'event-driven']))
  .option('--users <n>', 'concurrent users at launch')
  .option('--growth <rate>', 'user growth, e.g. 5%/month')
  .option('--availability <percent>', 'availability target, e.g. 99.9%')
  .option('--compliance <list>', 'comma-separated standards, e.g. GDPR,SOC2')
  .option('--entity <name>', 'main entity name, e.g. Link')
  .option('-y, --yes', 'accept recommended answers without asking')
  .option('--force', 'overwrite an existing archspec.yaml')
  .action(runCommand(program, (dir: string, opts: InitOptions) => import('./init-command.ts').then((m) => m.initCommand(dir, opts))));

program
  .command('serve')
  .description('run the specified system: database, REST API, auth, metrics, docs')
  .argument('<spec>', 'archspec.yaml or archspec.config.ts')
  .option('--port <port>', 'port to listen on (0: any free port; default PORT or 3000)')
  .option('--host <host>', 'address to listen on (default HOST or 127.0.0.1)')
  .option('--allow-destructive', 'apply destructive schema changes (dropped fields, type changes) at start')
  .option('--dev', 'development mode: generate a token secret when ARCHSPEC_JWT_SECRET is unset')
  .option('--instances <n>', 'worker processes sharing the port, started and restarted by this one (default 1)')
  .option('--component <name>', 'serve only this component of the spec (a gateway forwards to the services at ARCHSPEC_SERVICE_<NAME>_URL)')
  .action(runCommand(program, (spec: string, opts: ServeOptions) => import('./serve-command.ts').then((m) => m.serveCommand(spec, opts))));

program
  .command('migrate')
  .description('bring the database to the spec\'s data model (destructive changes need --allow-destructive)')
  .argument('<spec>', 'archspec.yaml or archspec.config.ts')
  .option('--allow-destructive', 'apply destructive changes (dropped tables or fields, type changes)')
  .option('--dry-run', 'print the statements a migration would run, apply nothing')
  .action(runCommand(program, (spec: string, opts: MigrateOptions) => import('./migrate-command.ts').then((m) => m.migrateCommand(spec, opts))));

const events = program.command('events').description('list event deliveries and redrive dead letters');
events
  .command('list')
  .description('show the newest event deliveries: consumer, status, attempts, last error')
  .argument('<spec>', 'archspec.yaml or archspec.config.ts')
  .option('--status <status>', 'only deliveries with this status: pending, dead or done')
  .option('--limit <n>', 'how many (default 50, at most 1000)')
  .action(runCommand(program, (spec: string, opts: EventsListOptions) => import('./events-command.ts').then((m) => m.eventsListCommand(spec, opts))));
events
  .command('redrive')
  .description('make dead letters pending again (attempts reset) so the server delivers them')
  .argument('<spec>', 'archspec.yaml or archspec.config.ts')
  .option('--id <id>', 'one delivery (<eventId>:<consumer>) or every dead delivery of one event id')
  .option('--consumer <name>', 'every dead letter of this consumer (a component name)')
  .option('--all', 'every dead letter')
  .action(runCommand(program, (spec: string, opts: EventsRedriveOptions) => import('./events-command.ts').then((m) => m.eventsRedriveCommand(spec, opts))));

const jobs = program
  .command('jobs')
  .description('list the scheduled jobs with their next and last runs, or run one now');

jobs
  .command('list')
  .description('show each job: schedule, time zone, next run, handler, last run')
  .argument('<spec>', 'archspec.yaml or archspec.config.ts')
  .action(runCommand(program, (spec: string) => import('./jobs-command.ts').then((m) => m.jobsListCommand(spec))));

jobs
  .command('run')
  .description('run one job now, as the server would (holds its lease, records the run)')
  .argument('<spec>', 'archspec.yaml or archspec.config.ts')
  .argument('<name>', 'the job, e.g. send-reminders or retention-purge')
  .action(runCommand(program, (spec: string, name: string) => import('./jobs-command.ts').then((m) => m.jobsRunCommand(spec, name))));

const keys = program.command('keys').description('field encryption keys: which key holds which values, and re-encryption under the current key');
keys
  .command('status')
  .description('count the stored values of each encrypted field per key id (and those still in plaintext)')
  .argument('<spec>', 'archspec.yaml or archspec.config.ts')
  .option('--dev', 'generate a missing key into the data folder even with DATABASE_URL set')
  .action(runCommand(program, (spec: string, opts: KeysOptions) => import('./keys-command.ts').then((m) => m.keysStatusCommand(spec, opts))));
keys
  .command('rotate')
  .description('re-encrypt every value not under the current key (first in the keyring) and rebuild blind indexes, in batches')
  .argument('<spec>', 'archspec.yaml or archspec.config.ts')
  .option('--batch-size <n>', 'rows per transaction (default 500)')
  .option('--dev', 'generate a missing key into the data folder even with DATABASE_URL set')
  .action(runCommand(program, (spec: string, opts: KeysOptions) => import('./keys-command.ts').then((m) => m.keysRotateCommand(spec, opts))));

const audit = program.command('audit').description('verify and read the hash-chained audit log of audited entities');
audit
  .command('verify')
  .description('walk the audit log\'s hash chain and report the first altered, missing or reordered row')
  .argument('<spec>', 'archspec.yaml or archspec.config.ts')
  .option('--expect-head <hash>', 'a head hash recorded earlier; fail when it is no longer in the chain (newest rows removed)')
  .action(runCommand(program, (spec: string, opts: AuditVerifyOptions) => import('./audit-command.ts').then((m) => m.auditVerifyCommand(spec, opts))));
audit
  .command('list')
  .description('print the newest audit rows, oldest of them first')
  .argument('<spec>', 'archspec.yaml or archspec.config.ts')
  .option('--entity <entity>', 'only rows of this entity')
  .option('--id <id>', 'only rows of this record id')
  .option('--limit <n>', 'how many rows (default 50)')
  .option('--json', 'one JSON object per line, hashes included')
  .action(runCommand(program, (spec: string, opts: AuditListOptions) => import('./audit-command.ts').then((m) => m.auditListCommand(spec, opts))));

await program.parseAsync(process.argv);
