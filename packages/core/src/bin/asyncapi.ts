// Prints the AsyncAPI 3 document of every NATS subject: bun packages/core/src/bin/asyncapi.ts > docs/asyncapi.json
import { asyncApiDocument } from "../asyncapi.ts";

console.log(JSON.stringify(asyncApiDocument(), null, 2));
