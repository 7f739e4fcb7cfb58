#!/usr/bin/env node
// Runs the TypeScript CLI (src/main.ts) through tsx, wherever the package is installed.
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');
