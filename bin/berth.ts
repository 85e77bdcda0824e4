#!/usr/bin/env node
import { main } from '../src/cli/index.js';

// `berth registry …` runs a registry server in this process; it is not an Engine API client, so it is
// routed here, before the CLI proper (which may only speak to berthd).
const argv = process.argv.slice(2);
const status = argv[0] === 'registry' ? await (await import('../src/registry-cli/main.js')).registryMain(argv.slice(1)) : await main(argv);
// Attached streams and a paused stdin can hold the event loop open after the command is done: exit once
// what was written has been flushed.
process.stdout.write('', () => process.stderr.write('', () => process.exit(status)));
