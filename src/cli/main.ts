import { Command, Option } from 'commander';
import { runCommand } from './run-command.ts';
import type { InitOptions } from './init-command.ts';
import type { ServeOptions } from './serve-command.ts';
import type { MigrateOptions } from './migrate-command.ts';

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
  .action(runCommand(program, (spec: string, opts: ServeOptions) => import('./serve-command.ts').then((m) => m.serveCommand(spec, opts))));

program
  .command('migrate')
  .description('bring the database to the spec\'s data model (destructive changes need --allow-destructive)')
  .argument('<spec>', 'archspec.yaml or archspec.config.ts')
  .option('--allow-destructive', 'apply destructive changes (dropped tables or fields, type changes)')
  .option('--dry-run', 'print the statements a migration would run, apply nothing')
  .action(runCommand(program, (spec: string, opts: MigrateOptions) => import('./migrate-command.ts').then((m) => m.migrateCommand(spec, opts))));

// (issue 4) events command here

// (issue 4) jobs command here

// (issue 4) keys command here

// (issue 4) audit command here

await program.parseAsync(process.argv);
