#!/usr/bin/env node
import { main } from '../src/berthd/main.js';

process.exitCode = await main(process.argv.slice(2));
