export {
  type PrivateRedis,
  redisServerRequirement,
  startRedisServer,
} from './redis-server.js';
