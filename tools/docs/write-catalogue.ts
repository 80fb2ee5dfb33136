/** `npm run docs`: writes docs/CATALOGUE.md from the code catalogues. */
import { writeFileSync } from 'node:fs';
import { catalogueMarkdown } from './catalogue.js';

writeFileSync(new URL('../../../docs/CATALOGUE.md', import.meta.url), catalogueMarkdown() + '\n');
