import { serializerCompiler } from "fastify-type-provider-zod";
import { isDeepStrictEqual } from "node:util";

/**
 * How response bodies become JSON. The routes build them from the contract's own types, so by default a
 * body is written as it is: checking it against its Zod schema again cost more than the rest of
 * serializing. With `check` (BATON_CHECK_RESPONSES=1, which the test suite sets), every body is checked
 * against its schema, and a field the schema does not declare fails too, where Zod would drop it.
 */
export function responseSerializer(check: boolean): typeof serializerCompiler {
  if (!check) return () => (data) => JSON.stringify(data);
  return (route) => {
    const checked = serializerCompiler(route);
    return (data) => {
      const json = checked(data);
      const plain = JSON.stringify(data);
      if (!isDeepStrictEqual(JSON.parse(json), plain === undefined ? undefined : JSON.parse(plain)))
        throw new Error(
          `The response of ${route.method} ${route.url} differs from its schema (a field it does not declare?): ${plain?.slice(0, 500)}`,
        );
      return json;
    };
  };
}
