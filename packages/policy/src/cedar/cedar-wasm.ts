/**
 * The one import of Cedar. `/nodejs` is the CommonJS build that loads its .wasm with
 * `readFileSync` beside itself (the bare specifier is the bundler build, which Node
 * cannot load). The CLI bundle copies the .wasm next to the chunk that holds this code
 * (scripts/build.mjs).
 */
import v8 from 'node:v8';

/**
 * Node 20's V8 (11.3) aborts the process ("Fatal error … unreachable code" in
 * Deoptimizer::DoComputeBuiltinContinuation) when optimized code that inlined a JS→Wasm
 * call is lazily deoptimized during that call — which a busy authorize loop does within
 * seconds (reproduced by bench/policy.mjs: 6 crashes in 6 runs; none with this flag).
 * Not inlining those calls costs nothing measurable next to a ~50 µs Cedar call. Only on
 * V8 11, where the flag is known to exist and the crash was seen: elsewhere an unknown
 * flag would print an error.
 */
if (process.versions.v8.startsWith('11.')) v8.setFlagsFromString('--no-turbo-inline-js-wasm-calls');

export {
  getCedarVersion,
  policySetTextToParts,
  policyToJson,
  preparsePolicySet,
  preparseSchema,
  statefulIsAuthorized,
  validate,
  type AuthorizationAnswer,
  type DetailedError,
  type EntityJson,
  type PolicyJson,
  type StatefulAuthorizationCall,
} from '@cedar-policy/cedar-wasm/nodejs';
