#!/usr/bin/env node
// Entry point of the `kiln` command: loads the TypeScript CLI through tsx's loader.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./main.ts');
// Exit explicitly: a loaded GPU device (Dawn) would otherwise keep the process alive.
process.exit(await main(process.argv.slice(2)));
