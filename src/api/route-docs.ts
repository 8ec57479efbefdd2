// Pieces of the OpenAPI route declarations every route module uses: a JSON
// answer, an error answer, a required JSON body.
import type { z } from '@hono/zod-openapi';
import { ErrorSchema } from './schemas.js';

export const V1 = '/api/v1';

export const json = <T extends z.ZodType>(schema: T, description: string) => ({ description, content: { 'application/json': { schema } } });
export const error = (description: string) => json(ErrorSchema, description);
export const jsonBody = <T extends z.ZodType>(schema: T) => ({ content: { 'application/json': { schema } }, required: true });
