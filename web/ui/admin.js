// admin.js: the admin page (being written).
import { main, el } from './common.js';
main().append(el('p', {}, 'This page is being built.'));
