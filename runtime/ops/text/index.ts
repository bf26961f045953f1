// The text op family: every spec this folder defines, for ../registry.
import type { OpSpec } from '../spec';
import { stringOps } from './strings';
import { tfidfSpec } from './tfidf';

export const textOps: OpSpec[] = [...stringOps, tfidfSpec];
