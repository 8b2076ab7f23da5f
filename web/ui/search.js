// search.js
import { main } from './common.js';
