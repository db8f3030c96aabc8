export {
  type PrivatePostgres,
  postgresBinDir,
  postgresRequirement,
  postgresTlsRequirement,
  startPrivatePostgres,
} from './private-postgres.js';
