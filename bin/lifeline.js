#!/usr/bin/env node
// Entry point of the `lifeline` command: the compiled CLI lives in dist/ (built by `npm install` through `prepare`).
import { run } from '../dist/cli/main.js';

await run(process.argv);
