#!/usr/bin/env node
import { main } from '../src/cli/index.js';

const status = await main(process.argv.slice(2));
// Attached streams and a paused stdin can hold the event loop open after the command is done: exit once
// what was written has been flushed.
process.stdout.write('', () => process.stderr.write('', () => process.exit(status)));
