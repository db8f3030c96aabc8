export {
  type PrivatePostgres,
  postgresBinDir,
  postgresRequirement,
  startPrivatePostgres,
} from './private-postgres.js';
