export { mergeSearchConfig } from './commands/search-command.js';
export { ConfigFileSchema, readConfigFile } from './config-file.js';
export { buildProgram, type Contributions, loadContributions, main } from './main.js';
