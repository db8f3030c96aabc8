export { mergeSearchConfig } from './commands/search-command.js';
export { ConfigFileSchema, readConfigFile } from './config-file.js';
export { buildProgram, main } from './main.js';
