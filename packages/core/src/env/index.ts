export { createEnv, pathFor, type Env, type Platform } from './env.js';
export { skillsyncPaths, type SkillsyncPaths } from './paths.js';
