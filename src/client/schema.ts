/**
 * The API's types, generated from `/openapi.json` by openapi-typescript: do not edit.
 * Regenerate with `npm run client:types` after changing a route's schema.
 */

export interface paths {
    "/healthz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Liveness */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Up (and, for readiness, every dependency reachable) */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @description ok */
                            status: string;
                            /** @description Readiness: each dependency (store, queue) and ok */
                            checks?: {
                                [key: string]: string;
                            };
                        };
                    };
                };
                /** @description Internal error: the detail never shows the cause; try again, and report it if it persists */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/readyz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Readiness: store and queue reachable */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Up (and, for readiness, every dependency reachable) */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @description ok */
                            status: string;
                            /** @description Readiness: each dependency (store, queue) and ok */
                            checks?: {
                                [key: string]: string;
                            };
                        };
                    };
                };
                /** @description Internal error: the detail never shows the cause; try again, and report it if it persists */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description A service this request needs (storage, store or queue) did not answer or is busy: try again later */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/auth/v1/register": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Create a user and its organisation */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            /** @description A new user and the organisation it owns */
            requestBody: {
                content: {
                    /**
                     * @example {
                     *       "email": "ada@example.com",
                     *       "password": "violet-Tangerine-Harbor-42",
                     *       "first_name": "Ada",
                     *       "last_name": "Lovelace",
                     *       "organization_name": "Acme"
                     *     }
                     */
                    "application/json": {
                        /**
                         * Format: email
                         * @description E-mail address: the login name
                         * @example ada@example.com
                         */
                        email: string;
                        /**
                         * @description At least 12 characters, not a common password
                         * @example violet-Tangerine-Harbor-42
                         */
                        password: string;
                        /**
                         * @description First name
                         * @example Ada
                         */
                        first_name: string;
                        /**
                         * @description Last name
                         * @example Lovelace
                         */
                        last_name: string;
                        /**
                         * @description Name of the organisation created for this user
                         * @example Acme
                         */
                        organization_name: string;
                    };
                };
            };
            responses: {
                /** @description Registered: log in with POST /auth/v1/login */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @description The new user */
                            user_id: string;
                            /** @description The new organisation, owned by the user */
                            organization_id: string;
                            /** @description Name of the organisation */
                            organization_name: string;
                            /** @description E-mail address, as registered */
                            email: string;
                            /** @description First name */
                            first_name: string;
                            /** @description Last name */
                            last_name: string;
                            /**
                             * Format: date-time
                             * @description When it was created (UTC)
                             */
                            created_at: string;
                        };
                    };
                };
                /** @description The request is not valid: `detail` says what to change and `errors` names each offending field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Conflicts with the current state; `code` says which (a name or e-mail taken, a task or run in another status, an Idempotency-Key still in use) */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description The body (or an expression in it) is too large */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description The body is not application/json */
                415: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Too many requests (the per-minute rate limit, login attempts, or tasks in progress): try again after Retry-After */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Internal error: the detail never shows the cause; try again, and report it if it persists */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/auth/v1/login": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Exchange e-mail and password for a JWT */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            /** @description E-mail and password of a registered user */
            requestBody: {
                content: {
                    /**
                     * @example {
                     *       "email": "ada@example.com",
                     *       "password": "violet-Tangerine-Harbor-42"
                     *     }
                     */
                    "application/json": {
                        /**
                         * @description E-mail address the user registered with
                         * @example ada@example.com
                         */
                        email: string;
                        /**
                         * @description The user's password
                         * @example violet-Tangerine-Harbor-42
                         */
                        password: string;
                    };
                };
            };
            responses: {
                /** @description Logged in: the bearer token and when it expires */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @description The user who logged in */
                            user_id: string;
                            /** @description The user's organisation */
                            organization_id: string;
                            /** @description A JWT naming a new login session: send it as Authorization: Bearer <token>. It works until expires_at, or until the session ends (POST /auth/v1/logout, or a password change elsewhere) */
                            token: string;
                            /**
                             * @description Always Bearer
                             * @enum {string}
                             */
                            token_type: "Bearer";
                            /**
                             * Format: date-time
                             * @description When the token stops working (UTC)
                             */
                            expires_at: string;
                        };
                    };
                };
                /** @description The request is not valid: `detail` says what to change and `errors` names each offending field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description No valid credentials: send X-API-Key, or Authorization: Bearer <token> from POST /auth/v1/login (session_ended: that login was ended by a logout or a password change; log in again) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description The body (or an expression in it) is too large */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description The body is not application/json */
                415: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Too many requests (the per-minute rate limit, login attempts, or tasks in progress): try again after Retry-After */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Internal error: the detail never shows the cause; try again, and report it if it persists */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/auth/v1/password": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Change the caller's password; every other session of the user ends
         * @description Authenticated by the login (Bearer token or session cookie) whose password changes; that session goes on, every other one ends at once (their tokens answer 401 session_ended). API keys are not affected: revoke those with DELETE /client/v1/{client_id}. A wrong current_password is counted as a failed login of the user (docs/login-throttling.md): 403 current_password_wrong with the tries left, 429 with Retry-After once a wait is in force.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            /** @description The user's current password and the new one */
            requestBody: {
                content: {
                    /**
                     * @example {
                     *       "current_password": "violet-Tangerine-Harbor-42",
                     *       "new_password": "amber-Lighthouse-Orchard-77"
                     *     }
                     */
                    "application/json": {
                        /**
                         * @description The password the user logs in with now
                         * @example violet-Tangerine-Harbor-42
                         */
                        current_password: string;
                        /**
                         * @description The password from now on: at least 12 characters, hard to guess, not the current one
                         * @example amber-Lighthouse-Orchard-77
                         */
                        new_password: string;
                    };
                };
            };
            responses: {
                /** @description Changed: the new password logs in from now on; every other session has ended */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @description The user whose password changed */
                            user_id: string;
                            /**
                             * @description How many of the user's other login sessions were ended: their tokens and cookies are refused from now on (401 session_ended). The session that made the change goes on.
                             * @example 2
                             */
                            other_sessions_ended: number;
                            /**
                             * Format: date-time
                             * @description When the password changed (UTC)
                             */
                            changed_at: string;
                        };
                    };
                };
                /** @description The request is not valid: `detail` says what to change and `errors` names each offending field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description No valid credentials: send X-API-Key, or Authorization: Bearer <token> from POST /auth/v1/login (session_ended: that login was ended by a logout or a password change; log in again) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Refused: current_password is wrong (current_password_wrong; Attempts-Remaining says how many tries are left before a wait), or a browser session without its X-CSRF-Token (csrf_failed) */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description The body (or an expression in it) is too large */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description The body is not application/json */
                415: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Too many requests (the per-minute rate limit, login attempts, or tasks in progress): try again after Retry-After */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Internal error: the detail never shows the cause; try again, and report it if it persists */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/client/v1": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The organisation's API clients (key prefix only) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The organisation's API clients, revoked ones included */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @description The organisation's API clients */
                            clients: {
                                /** @description The API client */
                                client_id: string;
                                /** @description The name given at creation */
                                name: string;
                                /** @description The first characters of its key, to tell keys apart */
                                key_prefix: string;
                                /**
                                 * @description What its key may do: read, write, admin
                                 * @example [
                                 *       "read",
                                 *       "write"
                                 *     ]
                                 */
                                scopes: ("read" | "write" | "admin")[];
                                /**
                                 * Format: date-time
                                 * @description When it was created (UTC)
                                 */
                                created_at: string;
                                /** @description When it was revoked (its key no longer works); null while active */
                                revoked_at: string | null;
                            }[];
                        };
                    };
                };
                /** @description No valid credentials: send X-API-Key, or Authorization: Bearer <token> from POST /auth/v1/login (session_ended: that login was ended by a logout or a password change; log in again) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Too many requests (the per-minute rate limit, login attempts, or tasks in progress): try again after Retry-After */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Internal error: the detail never shows the cause; try again, and report it if it persists */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        put?: never;
        /** Create an API client; its key and secret are shown this once */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            /** @description An API client to create */
            requestBody: {
                content: {
                    /**
                     * @example {
                     *       "name": "nightly-export",
                     *       "scopes": [
                     *         "read",
                     *         "write"
                     *       ]
                     *     }
                     */
                    "application/json": {
                        /**
                         * @description A name to tell the client apart
                         * @example nightly-export
                         */
                        name: string;
                        /**
                         * @description What the key may do, each scope once: read: task status and lists, the catalog, estimates, previews, manifests, archives and downloads; write: create, unload, cancel and retry tasks, save, change, run, resync and delete audiences; admin: webhooks. Without it the key gets all three (what every key could do before scopes existed). A key used outside its scopes gets 403 scope_missing.
                         * @example [
                         *       "read",
                         *       "write"
                         *     ]
                         */
                        scopes?: ("read" | "write" | "admin")[];
                    };
                };
            };
            responses: {
                /** @description Created: keep the key and secret, they are not shown again */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @description The API client: revoke it with DELETE /client/v1/{client_id} */
                            client_id: string;
                            /** @description The name given at creation */
                            name: string;
                            /** @description Shown this once; send it as X-API-Key */
                            api_key: string;
                            /** @description Shown this once; stored only as a hash */
                            api_secret: string;
                            /** @description The first characters of api_key, to tell keys apart in lists */
                            key_prefix: string;
                            /**
                             * @description What the key may do (read: task status and lists, the catalog, estimates, previews, manifests, archives and downloads; write: create, unload, cancel and retry tasks, save, change, run, resync and delete audiences; admin: webhooks)
                             * @example [
                             *       "read",
                             *       "write"
                             *     ]
                             */
                            scopes: ("read" | "write" | "admin")[];
                            /**
                             * Format: date-time
                             * @description When it was created (UTC)
                             */
                            created_at: string;
                        };
                    };
                };
                /** @description The request is not valid: `detail` says what to change and `errors` names each offending field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description No valid credentials: send X-API-Key, or Authorization: Bearer <token> from POST /auth/v1/login (session_ended: that login was ended by a logout or a password change; log in again) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Refused: a browser session changing something without its X-CSRF-Token (csrf_failed), or a download link that is wrong or has expired (link_invalid) */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description The body (or an expression in it) is too large */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description The body is not application/json */
                415: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Too many requests (the per-minute rate limit, login attempts, or tasks in progress): try again after Retry-After */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Internal error: the detail never shows the cause; try again, and report it if it persists */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/client/v1/{client_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Revoke an API client; its key stops working at once */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    /** @description client_id of the API client */
                    client_id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Revoked */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description The request is not valid: `detail` says what to change and `errors` names each offending field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description No valid credentials: send X-API-Key, or Authorization: Bearer <token> from POST /auth/v1/login (session_ended: that login was ended by a logout or a password change; log in again) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Refused: a browser session changing something without its X-CSRF-Token (csrf_failed), or a download link that is wrong or has expired (link_invalid) */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Not found: no such resource in your organisation */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Too many requests (the per-minute rate limit, login attempts, or tasks in progress): try again after Retry-After */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Internal error: the detail never shows the cause; try again, and report it if it persists */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/auth/v1/session": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The browser session's user and CSRF token, or `signed_in: false` without one
         * @description Answers 200 either way: the console asks on every visit, and being signed out is no error.
         */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The session (signed_in: true), or signed_in: false without one */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /**
                             * @description A session exists
                             * @enum {boolean}
                             */
                            signed_in: true;
                            /** @description The session's user */
                            user_id: string;
                            /** @description The user's organisation */
                            organization_id: string;
                            /** @description The user's first name */
                            first_name: string;
                            /** @description The user's last name */
                            last_name: string;
                            /** @description The name of the user's organisation */
                            organization_name: string;
                            /** @description Send it as X-CSRF-Token on every request that is not a GET */
                            csrf_token: string;
                        } | {
                            /**
                             * @description No session: log in with POST /auth/v1/session
                             * @enum {boolean}
                             */
                            signed_in: false;
                        };
                    };
                };
                /** @description Too many requests (the per-minute rate limit, login attempts, or tasks in progress): try again after Retry-After */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Internal error: the detail never shows the cause; try again, and report it if it persists */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        put?: never;
        /** Log in a browser: sets the session cookie and answers its CSRF token */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            /** @description E-mail and password of a registered user */
            requestBody: {
                content: {
                    /**
                     * @example {
                     *       "email": "ada@example.com",
                     *       "password": "violet-Tangerine-Harbor-42"
                     *     }
                     */
                    "application/json": {
                        /**
                         * @description E-mail address the user registered with
                         * @example ada@example.com
                         */
                        email: string;
                        /**
                         * @description The user's password
                         * @example violet-Tangerine-Harbor-42
                         */
                        password: string;
                    };
                };
            };
            responses: {
                /** @description Signed in: the session cookie is set; send csrf_token with every change */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /**
                             * @description A session exists
                             * @enum {boolean}
                             */
                            signed_in: true;
                            /** @description The session's user */
                            user_id: string;
                            /** @description The user's organisation */
                            organization_id: string;
                            /** @description The user's first name */
                            first_name: string;
                            /** @description The user's last name */
                            last_name: string;
                            /** @description The name of the user's organisation */
                            organization_name: string;
                            /** @description Send it as X-CSRF-Token on every request that is not a GET */
                            csrf_token: string;
                        };
                    };
                };
                /** @description The request is not valid: `detail` says what to change and `errors` names each offending field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description No valid credentials: send X-API-Key, or Authorization: Bearer <token> from POST /auth/v1/login (session_ended: that login was ended by a logout or a password change; log in again) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description The body (or an expression in it) is too large */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description The body is not application/json */
                415: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Too many requests (the per-minute rate limit, login attempts, or tasks in progress): try again after Retry-After */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Internal error: the detail never shows the cause; try again, and report it if it persists */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        /**
         * Log out a browser: ends the cookie's session and removes the cookie
         * @description Ends the login session of the audiences_session cookie in the store (its token is refused from the next request on, by every API process) and removes the cookie. Needs no CSRF token: the worst a forged request could do is log the browser out, and the cookie is SameSite=Strict, so no other site can send it anyway. Answers 204 without a cookie too.
         */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Logged out: the session ended, the cookie is removed */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description Too many requests (the per-minute rate limit, login attempts, or tasks in progress): try again after Retry-After */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Internal error: the detail never shows the cause; try again, and report it if it persists */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/auth/v1/logout": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * End the caller's login session: its token stops working at once
         * @description Ends the session of the login token sent (Authorization: Bearer, or the session cookie with its X-CSRF-Token): from the next request on, every API process answers that token 401 session_ended. The user's other sessions and the organisation's API keys go on. A session cookie sent along is removed.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Logged out: the session has ended */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description No valid credentials: send X-API-Key, or Authorization: Bearer <token> from POST /auth/v1/login (session_ended: that login was ended by a logout or a password change; log in again) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Refused: a browser session changing something without its X-CSRF-Token (csrf_failed), or a download link that is wrong or has expired (link_invalid) */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Too many requests (the per-minute rate limit, login attempts, or tasks in progress): try again after Retry-After */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Internal error: the detail never shows the cause; try again, and report it if it persists */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/intent_hive_tasks": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Count (and export) an intent segment */
        post: {
            parameters: {
                query?: never;
                header?: {
                    /** @description Makes the request safe to retry: 1-255 printable ASCII characters (a UUID, say), unique per request. The same key with the same request within IDEMPOTENCY_TTL (24 h) answers as the first did, with `Idempotent-Replayed: true`, without doing the work again; with another request, 422 `idempotency_key_reused`. Only successes are kept: after an error the key is free again. Keys are per organisation. */
                    "idempotency-key"?: string;
                };
                path?: never;
                cookie?: never;
            };
            /** @description The segment: days × topic prefixes × scores of the intent tree, filtered */
            requestBody: {
                content: {
                    /**
                     * @example {
                     *       "days": [
                     *         "2024-05-01",
                     *         "2024-05-02"
                     *       ],
                     *       "topic_id_prefixes": [
                     *         "4eyes_101",
                     *         "4eyes_102"
                     *       ],
                     *       "scores": [
                     *         "medium",
                     *         "high"
                     *       ],
                     *       "where_expr": "intent_score >= 60 AND country IN ('US', 'GB')",
                     *       "select": "person_id, hem_sha256, topic_id, intent_score, score",
                     *       "unique_by": "person_id"
                     *     }
                     */
                    "application/json": {
                        /**
                         * @description YYYY-MM-DD or YYYYMMDD
                         * @example [
                         *       "2024-05-01",
                         *       "2024-05-02"
                         *     ]
                         */
                        days: string[];
                        /**
                         * @description Topic prefixes to read (the prefix= folders of the intent tree; GET /api/v1/catalog/intent lists them)
                         * @example [
                         *       "4eyes_101",
                         *       "4eyes_102"
                         *     ]
                         */
                        topic_id_prefixes: string[];
                        /**
                         * @description low, medium, high
                         * @example [
                         *       "medium",
                         *       "high"
                         *     ]
                         */
                        scores: string[];
                        /**
                         * @description Only rows of these topics (topic_id IN …), each a topic of one of topic_id_prefixes in the server's intent tree; GET /api/v1/catalog/intent/topics finds them by name. Absent: every topic of the prefixes
                         * @example [
                         *       "4eyes_101_3",
                         *       "4eyes_101_7"
                         *     ]
                         */
                        topic_ids?: string[];
                        /** @description Another intent tree (day=/prefix=/score= folders) to read instead of the server's INTENT_INPUT_PATH: an absolute folder under LOCAL_INPUT_ROOTS, or s3:// or gs:// in INPUT_BUCKETS */
                        input_path?: string;
                        /**
                         * @description A short name for people, shown in task lists and searchable there (GET /api/v1/status?q=): 1-120 characters once trimmed, no control characters or line breaks
                         * @example Cloud security, high intent, May
                         */
                        name?: string;
                        /**
                         * @description Most rows exported per job; skips counting
                         * @example 1000
                         */
                        limit?: number;
                        /**
                         * @description false: count only, export later with POST /api/v1/tasks/{id}/unload
                         * @default true
                         * @example false
                         */
                        perform_unload?: boolean;
                        /**
                         * @description Comma-separated column names to export
                         * @example person_id, hem_sha256, topic_id, intent_score, score
                         */
                        select?: string;
                        /**
                         * @description A SQL boolean filter, e.g. intent_score >= 80 AND country = 'US'
                         * @example intent_score >= 60 AND country IN ('US', 'GB')
                         */
                        where_expr?: string;
                        /**
                         * @description A column (e.g. person_id) whose distinct values the count also counts, exactly: unique_count over the whole segment, unique_counts per partition. Not with limit
                         * @example person_id
                         */
                        unique_by?: string;
                        /**
                         * @description Up to 3 distinct columns (e.g. country, seniority): breakdowns lists the top 50 values of each by count, then one "(other)" entry for the rest. Not with limit
                         * @example [
                         *       "country",
                         *       "seniority"
                         *     ]
                         */
                        breakdown_by?: string[];
                        /**
                         * @description rows: the rows of the segment, by partition. people: one row per distinct non-null unique_by value (unique_by required), counted and exported whole under the one key "people". Not with limit or breakdown_by
                         * @default rows
                         * @example rows
                         */
                        output?: "rows" | "people";
                        /**
                         * @description File format of the export. CSV: header row, RFC 4180 quoting, ISO 8601 timestamps, lists and structs as JSON text. jsonl: one JSON object per line
                         * @default parquet
                         * @example parquet
                         */
                        format?: "parquet" | "csv" | "jsonl";
                        /**
                         * @description Parquet: snappy, zstd, gzip or none (default: the server's EXPORT_COMPRESSION, snappy). csv and jsonl: gzip (default) or none
                         * @example zstd
                         */
                        compression?: "snappy" | "zstd" | "gzip" | "none";
                        /**
                         * @description Write the whole task as one file (output key "all") instead of one folder per partition; the task is counted first. Not with limit or max_file_bytes
                         * @default false
                         * @example false
                         */
                        single_file?: boolean;
                        /**
                         * @description Start a new file once one reaches about this many bytes (at least 1 MiB)
                         * @example 268435456
                         */
                        max_file_bytes?: number;
                        /**
                         * @description output: people only: write the people as an ad platform's upload file (header, identifier encoding, rows and bytes per file as the platform takes them): one row per valid hashed e-mail (hem_sha256, or the generic identifier column), which is then the person column. Fixes format and compression; values that are not 64 hex characters are dropped and counted (invalid_identifiers). README "Activation" lists each platform's rules
                         * @example google_customer_match
                         * @enum {string}
                         */
                        profile?: "google_customer_match" | "meta_custom_audience" | "linkedin_matched_audience" | "uid2" | "liveramp";
                        /**
                         * @description output: people only: split the people at random into named parts, each its own output (split=NAME/…): 2 to 10 parts whose percent add up to exactly 100 (at most two decimals). A part with deliver: false (a holdout) is counted and kept in the service's own area, never written to your output. A person's part is a pure function of split_salt and the person (docs/activation.md "Splits and holdouts" gives the formula)
                         * @example [
                         *       {
                         *         "name": "A",
                         *         "percent": 45
                         *       },
                         *       {
                         *         "name": "B",
                         *         "percent": 45
                         *       },
                         *       {
                         *         "name": "holdout",
                         *         "percent": 10,
                         *         "deliver": false
                         *       }
                         *     ]
                         */
                        splits?: {
                            /**
                             * @description The part's name and output folder (split=NAME): ^[A-Za-z0-9_-]{1,32}$, unique in splits
                             * @example A
                             */
                            name: string;
                            /**
                             * @description Share of the people, more than 0, at most two decimals; all parts add up to 100
                             * @example 45
                             */
                            percent: number;
                            /**
                             * @description false: a holdout, counted and kept in the service's own area (listed in the manifest), never written to your output. At least one part is delivered
                             * @default true
                             * @example false
                             */
                            deliver?: boolean;
                        }[];
                        /**
                         * @description splits only: the text hashed before each person to pick their part. Absent: the service picks a random one and shows it in the request view; send it again to make the same split later
                         * @example spring-test-2026
                         */
                        split_salt?: string;
                        /**
                         * @description output: people only: keep people whose rows match at least this many distinct requested topic prefixes (at most the number of topic_id_prefixes)
                         * @example 2
                         */
                        min_topics?: number;
                        /**
                         * @description output: people only: keep people seen on at least this many distinct days (at most the number of days)
                         * @example 2
                         */
                        min_days?: number;
                        /**
                         * @description true: a day, topic prefix or score the data holds no rows for is a 400 instead of a warning (warnings in the answer) and a count of 0
                         * @default false
                         */
                        strict?: boolean;
                    };
                };
            };
            responses: {
                /** @description Accepted: the task runs in the background; Location names its status */
                202: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @description The task: follow it at GET /api/v1/status/{task_id} */
                            task_id: string;
                            /**
                             * @description in_progress (counting), counted (waiting for POST .../unload), unloading (exporting), or the final completed, failed (can be retried) or cancelled
                             * @enum {string}
                             */
                            status: "in_progress" | "counted" | "unloading" | "completed" | "failed" | "cancelled";
                            /** @description Jobs of the current phase (count or export) */
                            total_jobs: number;
                            /** @description Jobs of the current phase done so far: the progress */
                            completed_jobs: number;
                            /** @description Intent requests over the server's tree: each requested day, prefix or score with no data, which counts as 0 (with strict: true the create answers 400 instead). With a profile: people below the platform's minimum audience. Empty when there is nothing to warn of */
                            warnings?: {
                                /**
                                 * @description no_data: the request names values the data holds no rows for. below_platform_minimum: a profile export has fewer people than the platform's minimum audience
                                 * @enum {string}
                                 */
                                code: "no_data" | "below_platform_minimum";
                                /**
                                 * @description The request field naming them
                                 * @enum {string}
                                 */
                                field: "days" | "topic_id_prefixes" | "scores" | "profile";
                                /** @description no_data: the values with no data (the first 20); below_platform_minimum: the profile */
                                values: string[];
                                /** @description More values have no data than listed */
                                truncated: boolean;
                                /** @description What to check, e.g. a typo in a prefix */
                                message: string;
                                /** @description below_platform_minimum: the people counted (at an estimate, at most this many: rows from footers) */
                                people?: number;
                                /** @description below_platform_minimum: the platform's minimum audience size */
                                minimum?: number;
                            }[];
                        };
                    };
                };
                /** @description The request is not valid: `detail` says what to change and `errors` names each offending field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description No valid credentials: send X-API-Key, or Authorization: Bearer <token> from POST /auth/v1/login (session_ended: that login was ended by a logout or a password change; log in again) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Refused: an API key without the `write` scope (scope_missing), or a browser session without its X-CSRF-Token (csrf_failed) */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Conflicts with the current state; `code` says which (a name or e-mail taken, a task or run in another status, an Idempotency-Key still in use) */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description The body (or an expression in it) is too large */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description The body is not application/json */
                415: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Understood but not done: an Idempotency-Key reused with another request, or a preview that could not read the segment */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Too many requests (the per-minute rate limit, login attempts, or tasks in progress): try again after Retry-After */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Internal error: the detail never shows the cause; try again, and report it if it persists */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description A service this request needs (storage, store or queue) did not answer or is busy: try again later */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/generic_parquet_tasks": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Count (and export) rows of any Parquet tree under an allowed folder */
        post: {
            parameters: {
                query?: never;
                header?: {
                    /** @description Makes the request safe to retry: 1-255 printable ASCII characters (a UUID, say), unique per request. The same key with the same request within IDEMPOTENCY_TTL (24 h) answers as the first did, with `Idempotent-Replayed: true`, without doing the work again; with another request, 422 `idempotency_key_reused`. Only successes are kept: after an error the key is free again. Keys are per organisation. */
                    "idempotency-key"?: string;
                };
                path?: never;
                cookie?: never;
            };
            /** @description The segment: the rows of a Parquet tree, filtered */
            requestBody: {
                content: {
                    /**
                     * @example {
                     *       "input_path": "/srv/audiences/data/intent/day=2024-05-01",
                     *       "where_expr": "intent_score >= 60",
                     *       "unique_by": "person_id",
                     *       "breakdown_by": [
                     *         "industry"
                     *       ]
                     *     }
                     */
                    "application/json": {
                        /**
                         * @description Folder of Parquet files, read at any depth (k=v folders become partitions and columns): an absolute folder under LOCAL_INPUT_ROOTS, or s3://bucket/prefix or gs://bucket/prefix in INPUT_BUCKETS
                         * @example /srv/audiences/data/intent/day=2024-05-01
                         */
                        input_path: string;
                        /**
                         * @description A short name for people, shown in task lists and searchable there (GET /api/v1/status?q=): 1-120 characters once trimmed, no control characters or line breaks
                         * @example Cloud security, high intent, May
                         */
                        name?: string;
                        /**
                         * @description Most rows exported per job; skips counting
                         * @example 1000
                         */
                        limit?: number;
                        /**
                         * @description false: count only, export later with POST /api/v1/tasks/{id}/unload
                         * @default true
                         * @example false
                         */
                        perform_unload?: boolean;
                        /**
                         * @description Comma-separated column names to export
                         * @example person_id, hem_sha256, topic_id, intent_score, score
                         */
                        select?: string;
                        /**
                         * @description A SQL boolean filter, e.g. intent_score >= 80 AND country = 'US'
                         * @example intent_score >= 60 AND country IN ('US', 'GB')
                         */
                        where_expr?: string;
                        /**
                         * @description A column (e.g. person_id) whose distinct values the count also counts, exactly: unique_count over the whole segment, unique_counts per partition. Not with limit
                         * @example person_id
                         */
                        unique_by?: string;
                        /**
                         * @description Up to 3 distinct columns (e.g. country, seniority): breakdowns lists the top 50 values of each by count, then one "(other)" entry for the rest. Not with limit
                         * @example [
                         *       "country",
                         *       "seniority"
                         *     ]
                         */
                        breakdown_by?: string[];
                        /**
                         * @description rows: the rows of the segment, by partition. people: one row per distinct non-null unique_by value (unique_by required), counted and exported whole under the one key "people". Not with limit or breakdown_by
                         * @default rows
                         * @example rows
                         */
                        output?: "rows" | "people";
                        /**
                         * @description File format of the export. CSV: header row, RFC 4180 quoting, ISO 8601 timestamps, lists and structs as JSON text. jsonl: one JSON object per line
                         * @default parquet
                         * @example parquet
                         */
                        format?: "parquet" | "csv" | "jsonl";
                        /**
                         * @description Parquet: snappy, zstd, gzip or none (default: the server's EXPORT_COMPRESSION, snappy). csv and jsonl: gzip (default) or none
                         * @example zstd
                         */
                        compression?: "snappy" | "zstd" | "gzip" | "none";
                        /**
                         * @description Write the whole task as one file (output key "all") instead of one folder per partition; the task is counted first. Not with limit or max_file_bytes
                         * @default false
                         * @example false
                         */
                        single_file?: boolean;
                        /**
                         * @description Start a new file once one reaches about this many bytes (at least 1 MiB)
                         * @example 268435456
                         */
                        max_file_bytes?: number;
                        /**
                         * @description output: people only: write the people as an ad platform's upload file (header, identifier encoding, rows and bytes per file as the platform takes them): one row per valid hashed e-mail (hem_sha256, or the generic identifier column), which is then the person column. Fixes format and compression; values that are not 64 hex characters are dropped and counted (invalid_identifiers). README "Activation" lists each platform's rules
                         * @example google_customer_match
                         * @enum {string}
                         */
                        profile?: "google_customer_match" | "meta_custom_audience" | "linkedin_matched_audience" | "uid2" | "liveramp";
                        /**
                         * @description output: people only: split the people at random into named parts, each its own output (split=NAME/…): 2 to 10 parts whose percent add up to exactly 100 (at most two decimals). A part with deliver: false (a holdout) is counted and kept in the service's own area, never written to your output. A person's part is a pure function of split_salt and the person (docs/activation.md "Splits and holdouts" gives the formula)
                         * @example [
                         *       {
                         *         "name": "A",
                         *         "percent": 45
                         *       },
                         *       {
                         *         "name": "B",
                         *         "percent": 45
                         *       },
                         *       {
                         *         "name": "holdout",
                         *         "percent": 10,
                         *         "deliver": false
                         *       }
                         *     ]
                         */
                        splits?: {
                            /**
                             * @description The part's name and output folder (split=NAME): ^[A-Za-z0-9_-]{1,32}$, unique in splits
                             * @example A
                             */
                            name: string;
                            /**
                             * @description Share of the people, more than 0, at most two decimals; all parts add up to 100
                             * @example 45
                             */
                            percent: number;
                            /**
                             * @description false: a holdout, counted and kept in the service's own area (listed in the manifest), never written to your output. At least one part is delivered
                             * @default true
                             * @example false
                             */
                            deliver?: boolean;
                        }[];
                        /**
                         * @description splits only: the text hashed before each person to pick their part. Absent: the service picks a random one and shows it in the request view; send it again to make the same split later
                         * @example spring-test-2026
                         */
                        split_salt?: string;
                        /**
                         * @description output: people only: a column (e.g. a timestamp) whose greatest value picks each person's row; without it, any one row of the person
                         * @example last_seen
                         */
                        latest_by?: string;
                        /**
                         * @description profile only: the text column holding the hex SHA-256 of each e-mail, which the profile encodes and counts people by (default: unique_by, else hem_sha256)
                         * @example hem_sha256
                         */
                        identifier?: string;
                    };
                };
            };
            responses: {
                /** @description Accepted: the task runs in the background; Location names its status */
                202: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @description The task: follow it at GET /api/v1/status/{task_id} */
                            task_id: string;
                            /**
                             * @description in_progress (counting), counted (waiting for POST .../unload), unloading (exporting), or the final completed, failed (can be retried) or cancelled
                             * @enum {string}
                             */
                            status: "in_progress" | "counted" | "unloading" | "completed" | "failed" | "cancelled";
                            /** @description Jobs of the current phase (count or export) */
                            total_jobs: number;
                            /** @description Jobs of the current phase done so far: the progress */
                            completed_jobs: number;
                            /** @description Intent requests over the server's tree: each requested day, prefix or score with no data, which counts as 0 (with strict: true the create answers 400 instead). With a profile: people below the platform's minimum audience. Empty when there is nothing to warn of */
                            warnings?: {
                                /**
                                 * @description no_data: the request names values the data holds no rows for. below_platform_minimum: a profile export has fewer people than the platform's minimum audience
                                 * @enum {string}
                                 */
                                code: "no_data" | "below_platform_minimum";
                                /**
                                 * @description The request field naming them
                                 * @enum {string}
                                 */
                                field: "days" | "topic_id_prefixes" | "scores" | "profile";
                                /** @description no_data: the values with no data (the first 20); below_platform_minimum: the profile */
                                values: string[];
                                /** @description More values have no data than listed */
                                truncated: boolean;
                                /** @description What to check, e.g. a typo in a prefix */
                                message: string;
                                /** @description below_platform_minimum: the people counted (at an estimate, at most this many: rows from footers) */
                                people?: number;
                                /** @description below_platform_minimum: the platform's minimum audience size */
                                minimum?: number;
                            }[];
                        };
                    };
                };
                /** @description The request is not valid: `detail` says what to change and `errors` names each offending field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description No valid credentials: send X-API-Key, or Authorization: Bearer <token> from POST /auth/v1/login (session_ended: that login was ended by a logout or a password change; log in again) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Refused: an API key without the `write` scope (scope_missing), or a browser session without its X-CSRF-Token (csrf_failed) */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Conflicts with the current state; `code` says which (a name or e-mail taken, a task or run in another status, an Idempotency-Key still in use) */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description The body (or an expression in it) is too large */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description The body is not application/json */
                415: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Understood but not done: an Idempotency-Key reused with another request, or a preview that could not read the segment */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Too many requests (the per-minute rate limit, login attempts, or tasks in progress): try again after Retry-After */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Internal error: the detail never shows the cause; try again, and report it if it persists */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description A service this request needs (storage, store or queue) did not answer or is busy: try again later */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/intent_hive_tasks/estimate": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Dry run of an intent task: partitions, files, bytes and rows it would read
         * @description Takes the body of a create and answers at once, from listings and Parquet footers, what the task would read. The same validation and errors as a create; nothing is stored, and an estimate does not count against the cap on tasks in progress.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            /** @description The segment: days × topic prefixes × scores of the intent tree, filtered */
            requestBody: {
                content: {
                    /**
                     * @example {
                     *       "days": [
                     *         "2024-05-01",
                     *         "2024-05-02"
                     *       ],
                     *       "topic_id_prefixes": [
                     *         "4eyes_101",
                     *         "4eyes_102"
                     *       ],
                     *       "scores": [
                     *         "medium",
                     *         "high"
                     *       ],
                     *       "where_expr": "intent_score >= 60 AND country IN ('US', 'GB')",
                     *       "select": "person_id, hem_sha256, topic_id, intent_score, score",
                     *       "unique_by": "person_id"
                     *     }
                     */
                    "application/json": {
                        /**
                         * @description YYYY-MM-DD or YYYYMMDD
                         * @example [
                         *       "2024-05-01",
                         *       "2024-05-02"
                         *     ]
                         */
                        days: string[];
                        /**
                         * @description Topic prefixes to read (the prefix= folders of the intent tree; GET /api/v1/catalog/intent lists them)
                         * @example [
                         *       "4eyes_101",
                         *       "4eyes_102"
                         *     ]
                         */
                        topic_id_prefixes: string[];
                        /**
                         * @description low, medium, high
                         * @example [
                         *       "medium",
                         *       "high"
                         *     ]
                         */
                        scores: string[];
                        /**
                         * @description Only rows of these topics (topic_id IN …), each a topic of one of topic_id_prefixes in the server's intent tree; GET /api/v1/catalog/intent/topics finds them by name. Absent: every topic of the prefixes
                         * @example [
                         *       "4eyes_101_3",
                         *       "4eyes_101_7"
                         *     ]
                         */
                        topic_ids?: string[];
                        /** @description Another intent tree (day=/prefix=/score= folders) to read instead of the server's INTENT_INPUT_PATH: an absolute folder under LOCAL_INPUT_ROOTS, or s3:// or gs:// in INPUT_BUCKETS */
                        input_path?: string;
                        /**
                         * @description A short name for people, shown in task lists and searchable there (GET /api/v1/status?q=): 1-120 characters once trimmed, no control characters or line breaks
                         * @example Cloud security, high intent, May
                         */
                        name?: string;
                        /**
                         * @description Most rows exported per job; skips counting
                         * @example 1000
                         */
                        limit?: number;
                        /**
                         * @description false: count only, export later with POST /api/v1/tasks/{id}/unload
                         * @default true
                         * @example false
                         */
                        perform_unload?: boolean;
                        /**
                         * @description Comma-separated column names to export
                         * @example person_id, hem_sha256, topic_id, intent_score, score
                         */
                        select?: string;
                        /**
                         * @description A SQL boolean filter, e.g. intent_score >= 80 AND country = 'US'
                         * @example intent_score >= 60 AND country IN ('US', 'GB')
                         */
                        where_expr?: string;
                        /**
                         * @description A column (e.g. person_id) whose distinct values the count also counts, exactly: unique_count over the whole segment, unique_counts per partition. Not with limit
                         * @example person_id
                         */
                        unique_by?: string;
                        /**
                         * @description Up to 3 distinct columns (e.g. country, seniority): breakdowns lists the top 50 values of each by count, then one "(other)" entry for the rest. Not with limit
                         * @example [
                         *       "country",
                         *       "seniority"
                         *     ]
                         */
                        breakdown_by?: string[];
                        /**
                         * @description rows: the rows of the segment, by partition. people: one row per distinct non-null unique_by value (unique_by required), counted and exported whole under the one key "people". Not with limit or breakdown_by
                         * @default rows
                         * @example rows
                         */
                        output?: "rows" | "people";
                        /**
                         * @description File format of the export. CSV: header row, RFC 4180 quoting, ISO 8601 timestamps, lists and structs as JSON text. jsonl: one JSON object per line
                         * @default parquet
                         * @example parquet
                         */
                        format?: "parquet" | "csv" | "jsonl";
                        /**
                         * @description Parquet: snappy, zstd, gzip or none (default: the server's EXPORT_COMPRESSION, snappy). csv and jsonl: gzip (default) or none
                         * @example zstd
                         */
                        compression?: "snappy" | "zstd" | "gzip" | "none";
                        /**
                         * @description Write the whole task as one file (output key "all") instead of one folder per partition; the task is counted first. Not with limit or max_file_bytes
                         * @default false
                         * @example false
                         */
                        single_file?: boolean;
                        /**
                         * @description Start a new file once one reaches about this many bytes (at least 1 MiB)
                         * @example 268435456
                         */
                        max_file_bytes?: number;
                        /**
                         * @description output: people only: write the people as an ad platform's upload file (header, identifier encoding, rows and bytes per file as the platform takes them): one row per valid hashed e-mail (hem_sha256, or the generic identifier column), which is then the person column. Fixes format and compression; values that are not 64 hex characters are dropped and counted (invalid_identifiers). README "Activation" lists each platform's rules
                         * @example google_customer_match
                         * @enum {string}
                         */
                        profile?: "google_customer_match" | "meta_custom_audience" | "linkedin_matched_audience" | "uid2" | "liveramp";
                        /**
                         * @description output: people only: split the people at random into named parts, each its own output (split=NAME/…): 2 to 10 parts whose percent add up to exactly 100 (at most two decimals). A part with deliver: false (a holdout) is counted and kept in the service's own area, never written to your output. A person's part is a pure function of split_salt and the person (docs/activation.md "Splits and holdouts" gives the formula)
                         * @example [
                         *       {
                         *         "name": "A",
                         *         "percent": 45
                         *       },
                         *       {
                         *         "name": "B",
                         *         "percent": 45
                         *       },
                         *       {
                         *         "name": "holdout",
                         *         "percent": 10,
                         *         "deliver": false
                         *       }
                         *     ]
                         */
                        splits?: {
                            /**
                             * @description The part's name and output folder (split=NAME): ^[A-Za-z0-9_-]{1,32}$, unique in splits
                             * @example A
                             */
                            name: string;
                            /**
                             * @description Share of the people, more than 0, at most two decimals; all parts add up to 100
                             * @example 45
                             */
                            percent: number;
                            /**
                             * @description false: a holdout, counted and kept in the service's own area (listed in the manifest), never written to your output. At least one part is delivered
                             * @default true
                             * @example false
                             */
                            deliver?: boolean;
                        }[];
                        /**
                         * @description splits only: the text hashed before each person to pick their part. Absent: the service picks a random one and shows it in the request view; send it again to make the same split later
                         * @example spring-test-2026
                         */
                        split_salt?: string;
                        /**
                         * @description output: people only: keep people whose rows match at least this many distinct requested topic prefixes (at most the number of topic_id_prefixes)
                         * @example 2
                         */
                        min_topics?: number;
                        /**
                         * @description output: people only: keep people seen on at least this many distinct days (at most the number of days)
                         * @example 2
                         */
                        min_days?: number;
                        /**
                         * @description true: a day, topic prefix or score the data holds no rows for is a 400 instead of a warning (warnings in the answer) and a count of 0
                         * @default false
                         */
                        strict?: boolean;
                    };
                };
            };
            responses: {
                /** @description What the task would read; nothing was stored */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @description Partitions the request covers: days × prefixes × scores, or the folders of a generic tree */
                            partitions: number;
                            /** @description Partitions holding at least one Parquet file */
                            partitions_with_data: number;
                            /** @description Requested partitions holding no Parquet file, in request order: the first 100 */
                            missing_partitions: string[];
                            /** @description More partitions are missing than listed */
                            missing_partitions_truncated: boolean;
                            /** @description Parquet files the task would read */
                            files: number;
                            /** @description Input bytes the task would read */
                            bytes: number;
                            /** @description Rows in those files, from their footers: exact without where_expr, an upper bound with it */
                            rows: number;
                            /** @description false when where_expr may leave rows out */
                            rows_exact: boolean;
                            /** @description Intent requests over the server's tree: each requested day, prefix or score with no data, which counts as 0 (with strict: true the create answers 400 instead). With a profile: people below the platform's minimum audience. Empty when there is nothing to warn of */
                            warnings?: {
                                /**
                                 * @description no_data: the request names values the data holds no rows for. below_platform_minimum: a profile export has fewer people than the platform's minimum audience
                                 * @enum {string}
                                 */
                                code: "no_data" | "below_platform_minimum";
                                /**
                                 * @description The request field naming them
                                 * @enum {string}
                                 */
                                field: "days" | "topic_id_prefixes" | "scores" | "profile";
                                /** @description no_data: the values with no data (the first 20); below_platform_minimum: the profile */
                                values: string[];
                                /** @description More values have no data than listed */
                                truncated: boolean;
                                /** @description What to check, e.g. a typo in a prefix */
                                message: string;
                                /** @description below_platform_minimum: the people counted (at an estimate, at most this many: rows from footers) */
                                people?: number;
                                /** @description below_platform_minimum: the platform's minimum audience size */
                                minimum?: number;
                            }[];
                        };
                    };
                };
                /** @description The request is not valid: `detail` says what to change and `errors` names each offending field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description No valid credentials: send X-API-Key, or Authorization: Bearer <token> from POST /auth/v1/login (session_ended: that login was ended by a logout or a password change; log in again) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Refused: an API key without the `read` scope (scope_missing), or a browser session without its X-CSRF-Token (csrf_failed) */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description The body (or an expression in it) is too large */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description The body is not application/json */
                415: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Too many requests (the per-minute rate limit, login attempts, or tasks in progress): try again after Retry-After */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Internal error: the detail never shows the cause; try again, and report it if it persists */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description A service this request needs (storage, store or queue) did not answer or is busy: try again later */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/generic_parquet_tasks/estimate": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Dry run of a generic Parquet task: partitions, files, bytes and rows it would read
         * @description Takes the body of a create and answers at once, from listings and Parquet footers, what the task would read. The same validation and errors as a create; nothing is stored, and an estimate does not count against the cap on tasks in progress.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            /** @description The segment: the rows of a Parquet tree, filtered */
            requestBody: {
                content: {
                    /**
                     * @example {
                     *       "input_path": "/srv/audiences/data/intent/day=2024-05-01",
                     *       "where_expr": "intent_score >= 60",
                     *       "unique_by": "person_id",
                     *       "breakdown_by": [
                     *         "industry"
                     *       ]
                     *     }
                     */
                    "application/json": {
                        /**
                         * @description Folder of Parquet files, read at any depth (k=v folders become partitions and columns): an absolute folder under LOCAL_INPUT_ROOTS, or s3://bucket/prefix or gs://bucket/prefix in INPUT_BUCKETS
                         * @example /srv/audiences/data/intent/day=2024-05-01
                         */
                        input_path: string;
                        /**
                         * @description A short name for people, shown in task lists and searchable there (GET /api/v1/status?q=): 1-120 characters once trimmed, no control characters or line breaks
                         * @example Cloud security, high intent, May
                         */
                        name?: string;
                        /**
                         * @description Most rows exported per job; skips counting
                         * @example 1000
                         */
                        limit?: number;
                        /**
                         * @description false: count only, export later with POST /api/v1/tasks/{id}/unload
                         * @default true
                         * @example false
                         */
                        perform_unload?: boolean;
                        /**
                         * @description Comma-separated column names to export
                         * @example person_id, hem_sha256, topic_id, intent_score, score
                         */
                        select?: string;
                        /**
                         * @description A SQL boolean filter, e.g. intent_score >= 80 AND country = 'US'
                         * @example intent_score >= 60 AND country IN ('US', 'GB')
                         */
                        where_expr?: string;
                        /**
                         * @description A column (e.g. person_id) whose distinct values the count also counts, exactly: unique_count over the whole segment, unique_counts per partition. Not with limit
                         * @example person_id
                         */
                        unique_by?: string;
                        /**
                         * @description Up to 3 distinct columns (e.g. country, seniority): breakdowns lists the top 50 values of each by count, then one "(other)" entry for the rest. Not with limit
                         * @example [
                         *       "country",
                         *       "seniority"
                         *     ]
                         */
                        breakdown_by?: string[];
                        /**
                         * @description rows: the rows of the segment, by partition. people: one row per distinct non-null unique_by value (unique_by required), counted and exported whole under the one key "people". Not with limit or breakdown_by
                         * @default rows
                         * @example rows
                         */
                        output?: "rows" | "people";
                        /**
                         * @description File format of the export. CSV: header row, RFC 4180 quoting, ISO 8601 timestamps, lists and structs as JSON text. jsonl: one JSON object per line
                         * @default parquet
                         * @example parquet
                         */
                        format?: "parquet" | "csv" | "jsonl";
                        /**
                         * @description Parquet: snappy, zstd, gzip or none (default: the server's EXPORT_COMPRESSION, snappy). csv and jsonl: gzip (default) or none
                         * @example zstd
                         */
                        compression?: "snappy" | "zstd" | "gzip" | "none";
                        /**
                         * @description Write the whole task as one file (output key "all") instead of one folder per partition; the task is counted first. Not with limit or max_file_bytes
                         * @default false
                         * @example false
                         */
                        single_file?: boolean;
                        /**
                         * @description Start a new file once one reaches about this many bytes (at least 1 MiB)
                         * @example 268435456
                         */
                        max_file_bytes?: number;
                        /**
                         * @description output: people only: write the people as an ad platform's upload file (header, identifier encoding, rows and bytes per file as the platform takes them): one row per valid hashed e-mail (hem_sha256, or the generic identifier column), which is then the person column. Fixes format and compression; values that are not 64 hex characters are dropped and counted (invalid_identifiers). README "Activation" lists each platform's rules
                         * @example google_customer_match
                         * @enum {string}
                         */
                        profile?: "google_customer_match" | "meta_custom_audience" | "linkedin_matched_audience" | "uid2" | "liveramp";
                        /**
                         * @description output: people only: split the people at random into named parts, each its own output (split=NAME/…): 2 to 10 parts whose percent add up to exactly 100 (at most two decimals). A part with deliver: false (a holdout) is counted and kept in the service's own area, never written to your output. A person's part is a pure function of split_salt and the person (docs/activation.md "Splits and holdouts" gives the formula)
                         * @example [
                         *       {
                         *         "name": "A",
                         *         "percent": 45
                         *       },
                         *       {
                         *         "name": "B",
                         *         "percent": 45
                         *       },
                         *       {
                         *         "name": "holdout",
                         *         "percent": 10,
                         *         "deliver": false
                         *       }
                         *     ]
                         */
                        splits?: {
                            /**
                             * @description The part's name and output folder (split=NAME): ^[A-Za-z0-9_-]{1,32}$, unique in splits
                             * @example A
                             */
                            name: string;
                            /**
                             * @description Share of the people, more than 0, at most two decimals; all parts add up to 100
                             * @example 45
                             */
                            percent: number;
                            /**
                             * @description false: a holdout, counted and kept in the service's own area (listed in the manifest), never written to your output. At least one part is delivered
                             * @default true
                             * @example false
                             */
                            deliver?: boolean;
                        }[];
                        /**
                         * @description splits only: the text hashed before each person to pick their part. Absent: the service picks a random one and shows it in the request view; send it again to make the same split later
                         * @example spring-test-2026
                         */
                        split_salt?: string;
                        /**
                         * @description output: people only: a column (e.g. a timestamp) whose greatest value picks each person's row; without it, any one row of the person
                         * @example last_seen
                         */
                        latest_by?: string;
                        /**
                         * @description profile only: the text column holding the hex SHA-256 of each e-mail, which the profile encodes and counts people by (default: unique_by, else hem_sha256)
                         * @example hem_sha256
                         */
                        identifier?: string;
                    };
                };
            };
            responses: {
                /** @description What the task would read; nothing was stored */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @description Partitions the request covers: days × prefixes × scores, or the folders of a generic tree */
                            partitions: number;
                            /** @description Partitions holding at least one Parquet file */
                            partitions_with_data: number;
                            /** @description Requested partitions holding no Parquet file, in request order: the first 100 */
                            missing_partitions: string[];
                            /** @description More partitions are missing than listed */
                            missing_partitions_truncated: boolean;
                            /** @description Parquet files the task would read */
                            files: number;
                            /** @description Input bytes the task would read */
                            bytes: number;
                            /** @description Rows in those files, from their footers: exact without where_expr, an upper bound with it */
                            rows: number;
                            /** @description false when where_expr may leave rows out */
                            rows_exact: boolean;
                            /** @description Intent requests over the server's tree: each requested day, prefix or score with no data, which counts as 0 (with strict: true the create answers 400 instead). With a profile: people below the platform's minimum audience. Empty when there is nothing to warn of */
                            warnings?: {
                                /**
                                 * @description no_data: the request names values the data holds no rows for. below_platform_minimum: a profile export has fewer people than the platform's minimum audience
                                 * @enum {string}
                                 */
                                code: "no_data" | "below_platform_minimum";
                                /**
                                 * @description The request field naming them
                                 * @enum {string}
                                 */
                                field: "days" | "topic_id_prefixes" | "scores" | "profile";
                                /** @description no_data: the values with no data (the first 20); below_platform_minimum: the profile */
                                values: string[];
                                /** @description More values have no data than listed */
                                truncated: boolean;
                                /** @description What to check, e.g. a typo in a prefix */
                                message: string;
                                /** @description below_platform_minimum: the people counted (at an estimate, at most this many: rows from footers) */
                                people?: number;
                                /** @description below_platform_minimum: the platform's minimum audience size */
                                minimum?: number;
                            }[];
                        };
                    };
                };
                /** @description The request is not valid: `detail` says what to change and `errors` names each offending field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description No valid credentials: send X-API-Key, or Authorization: Bearer <token> from POST /auth/v1/login (session_ended: that login was ended by a logout or a password change; log in again) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Refused: an API key without the `read` scope (scope_missing), or a browser session without its X-CSRF-Token (csrf_failed) */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description The body (or an expression in it) is too large */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description The body is not application/json */
                415: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Too many requests (the per-minute rate limit, login attempts, or tasks in progress): try again after Retry-After */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Internal error: the detail never shows the cause; try again, and report it if it persists */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description A service this request needs (storage, store or queue) did not answer or is busy: try again later */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/status": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The organisation's tasks, newest first */
        get: {
            parameters: {
                query?: {
                    /**
                     * @description 1-100, default 20
                     * @example 20
                     */
                    limit?: string;
                    /** @description next_cursor of the previous page */
                    cursor?: string;
                    /**
                     * @description Only tasks whose name contains this text, in any letter case (or whose task_id starts with it); blank: every task. Pages and cursors work as without it
                     * @example cloud security
                     */
                    q?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description A page of the organisation's tasks */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @description A page of tasks, newest first */
                            tasks: {
                                /** @description The task: follow it at GET /api/v1/status/{task_id} */
                                task_id: string;
                                /**
                                 * @description The name given at creation (trimmed); null without one (a saved audience's run goes by the audience's name, in audience)
                                 * @example Cloud security, high intent, May
                                 */
                                name: string | null;
                                /**
                                 * @description intent_hive: created with POST /api/v1/intent_hive_tasks; generic_parquet: with POST /api/v1/generic_parquet_tasks
                                 * @enum {string}
                                 */
                                type: "intent_hive" | "generic_parquet";
                                /**
                                 * @description in_progress (counting), counted (waiting for POST .../unload), unloading (exporting), or the final completed, failed (can be retried) or cancelled
                                 * @enum {string}
                                 */
                                status: "in_progress" | "counted" | "unloading" | "completed" | "failed" | "cancelled";
                                /** @description Jobs of the current phase (count or export) */
                                total_jobs: number;
                                /** @description Jobs of the current phase done so far: the progress */
                                completed_jobs: number;
                                /** @description Jobs of the current phase that failed for good */
                                failed_jobs: number;
                                /** @description Rows of the whole segment (people with output: people); null until counted */
                                total_count: number | null;
                                /** @description Why the task failed; null unless failed */
                                error: {
                                    /** @description A task error code (docs/errors.md, "Task errors") */
                                    code: string;
                                    /** @description What failed and, where you can act, what to change */
                                    message: string;
                                } | null;
                                /** @description The saved audience whose run this task is; null for a task created directly */
                                audience: {
                                    /** @description The saved audience */
                                    audience_id: string;
                                    /** @description The run of the audience this task is */
                                    run_id: string;
                                    /** @description The audience's name */
                                    name: string;
                                    /** @description The audience's version the run read */
                                    version: number;
                                } | null;
                                /**
                                 * Format: date-time
                                 * @description When the task was created (UTC)
                                 */
                                created_at: string;
                                /**
                                 * Format: date-time
                                 * @description When the task last changed (UTC)
                                 */
                                updated_at: string;
                                /** @description When the task ended (completed, failed or cancelled); null before */
                                completed_at: string | null;
                                /**
                                 * Format: date-time
                                 * @description When the task and its files are removed (TASK_TTL after creation)
                                 */
                                expires_at: string;
                            }[];
                            /** @description Send it as ?cursor= for the next page; null on the last page */
                            next_cursor: string | null;
                        };
                    };
                };
                /** @description The request is not valid: `detail` says what to change and `errors` names each offending field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description No valid credentials: send X-API-Key, or Authorization: Bearer <token> from POST /auth/v1/login (session_ended: that login was ended by a logout or a password change; log in again) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Refused: an API key without the `read` scope (scope_missing) */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Too many requests (the per-minute rate limit, login attempts, or tasks in progress): try again after Retry-After */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Internal error: the detail never shows the cause; try again, and report it if it persists */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/tasks/{task_id}/manifest": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Redirect to a freshly signed link to the export's manifest.json
         * @description A stable address for the manifest of a completed export (webhook bodies carry it as `manifest_url`): answers 302 with a link signed now, like the detail's `manifest_url`. 409 until an export of the task has completed.
         */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    /** @description task_id of the task, as its create answered */
                    task_id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Location: the signed link to manifest.json */
                302: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description The request is not valid: `detail` says what to change and `errors` names each offending field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description No valid credentials: send X-API-Key, or Authorization: Bearer <token> from POST /auth/v1/login (session_ended: that login was ended by a logout or a password change; log in again) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Refused: an API key without the `read` scope (scope_missing) */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Not found: no such resource in your organisation */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Conflicts with the current state; `code` says which (a name or e-mail taken, a task or run in another status, an Idempotency-Key still in use) */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Too many requests (the per-minute rate limit, login attempts, or tasks in progress): try again after Retry-After */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Internal error: the detail never shows the cause; try again, and report it if it persists */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/tasks/{task_id}/preview": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Sample rows of the task's segment, without exporting
         * @description The first `limit` rows that pass the task's `where_expr`, with its `select` columns, read now from its input (local, S3 or GCS) by the API process: for a task in any status but `failed` (409). Not a random sample: the partitions are walked in key order until enough rows are found.
         */
        get: {
            parameters: {
                query?: {
                    /**
                     * @description Rows to show: 1-100, default 20
                     * @example 5
                     */
                    limit?: string;
                };
                header?: never;
                path: {
                    /** @description task_id of the task, as its create answered */
                    task_id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The segment's first rows and its columns */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @description The columns an export of the task holds, in order: the selected ones, else the files' own (intent partition columns day, prefix, score stay in the path unless selected) */
                            columns: {
                                /** @description Column name */
                                name: string;
                                /** @description DuckDB type, e.g. VARCHAR, BIGINT, TIMESTAMP, VARCHAR[] */
                                type: string;
                            }[];
                            /** @description The first rows found walking the partitions in key order (not a random sample), keyed by column in `columns` order. DATE and TIMESTAMP as ISO 8601 strings (UTC), BIGINT as a number when it is a safe integer (else a string), lists as arrays, NULL as null. */
                            rows: {
                                [key: string]: unknown;
                            }[];
                        };
                    };
                };
                /** @description The request is not valid: `detail` says what to change and `errors` names each offending field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description No valid credentials: send X-API-Key, or Authorization: Bearer <token> from POST /auth/v1/login (session_ended: that login was ended by a logout or a password change; log in again) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Refused: an API key without the `read` scope (scope_missing) */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Not found: no such resource in your organisation */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Conflicts with the current state; `code` says which (a name or e-mail taken, a task or run in another status, an Idempotency-Key still in use) */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Understood but not done: an Idempotency-Key reused with another request, or a preview that could not read the segment */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Too many requests (the per-minute rate limit, login attempts, or tasks in progress): try again after Retry-After */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Internal error: the detail never shows the cause; try again, and report it if it persists */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description A service this request needs (storage, store or queue) did not answer or is busy: try again later */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description The preview took too long */
                504: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/status/{task_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Task detail: counts, progress, outputs and download links
         * @description Every answer carries an ETag. Send it back in If-None-Match to get 304 while the task is unchanged, and add ?wait=N to have the request wait up to N seconds for the next change.
         */
        get: {
            parameters: {
                query?: {
                    /**
                     * @description 0-60 seconds. With If-None-Match holding the ETag of the current answer, the request waits up to this long for the task to change: 200 with the new detail as soon as it does, 304 if it did not (long polling).
                     * @example 30
                     */
                    wait?: string;
                };
                header?: {
                    /** @description The ETag of an earlier answer: 304 while the task is unchanged */
                    "if-none-match"?: string;
                };
                path: {
                    /** @description task_id of the task, as its create answered */
                    task_id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The task: its progress, counts, and once exported its files and signed links */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @description The task: follow it at GET /api/v1/status/{task_id} */
                            task_id: string;
                            /**
                             * @description The name given at creation (trimmed); null without one (a saved audience's run goes by the audience's name, in audience)
                             * @example Cloud security, high intent, May
                             */
                            name: string | null;
                            /**
                             * @description intent_hive: created with POST /api/v1/intent_hive_tasks; generic_parquet: with POST /api/v1/generic_parquet_tasks
                             * @enum {string}
                             */
                            type: "intent_hive" | "generic_parquet";
                            /**
                             * @description in_progress (counting), counted (waiting for POST .../unload), unloading (exporting), or the final completed, failed (can be retried) or cancelled
                             * @enum {string}
                             */
                            status: "in_progress" | "counted" | "unloading" | "completed" | "failed" | "cancelled";
                            /** @description Jobs of the current phase (count or export) */
                            total_jobs: number;
                            /** @description Jobs of the current phase done so far: the progress */
                            completed_jobs: number;
                            /** @description Jobs of the current phase that failed for good */
                            failed_jobs: number;
                            /** @description Rows of the whole segment (people with output: people); null until counted */
                            total_count: number | null;
                            /** @description Why the task failed; null unless failed */
                            error: {
                                /** @description A task error code (docs/errors.md, "Task errors") */
                                code: string;
                                /** @description What failed and, where you can act, what to change */
                                message: string;
                            } | null;
                            /** @description The saved audience whose run this task is; null for a task created directly */
                            audience: {
                                /** @description The saved audience */
                                audience_id: string;
                                /** @description The run of the audience this task is */
                                run_id: string;
                                /** @description The audience's name */
                                name: string;
                                /** @description The audience's version the run read */
                                version: number;
                            } | null;
                            /**
                             * Format: date-time
                             * @description When the task was created (UTC)
                             */
                            created_at: string;
                            /**
                             * Format: date-time
                             * @description When the task last changed (UTC)
                             */
                            updated_at: string;
                            /** @description When the task ended (completed, failed or cancelled); null before */
                            completed_at: string | null;
                            /**
                             * Format: date-time
                             * @description When the task and its files are removed (TASK_TTL after creation)
                             */
                            expires_at: string;
                            /** @description Rows per partition */
                            counts: {
                                [key: string]: number;
                            };
                            /** @description Storage folder of each exported partition */
                            outputs: {
                                [key: string]: string;
                            };
                            /** @description One signed, expiring download URL per file */
                            output_links: string[];
                            /** @description Every exported file, by partition */
                            files: {
                                /** @description The partition (a key of counts and outputs) the file belongs to */
                                partition: string;
                                /** @description Where the file is stored: a local path, or s3:// or gs:// */
                                uri: string;
                                /** @description Signed, expiring download link of the file */
                                url: string;
                                /** @description Rows in the file */
                                rows: number;
                                /** @description Size of the file in bytes */
                                size_bytes: number;
                                /** @description Hex SHA-256 of the file, as manifest.json lists it (null for files exported before checksums) */
                                sha256: string | null;
                            }[];
                            /** @description What the create warned about, kept with the task: each requested day, prefix or score the intent tree held no rows for at that time (counted as 0); with a profile, once counted, people below the platform's minimum audience. Empty when there is none */
                            warnings: {
                                /**
                                 * @description no_data: the request names values the data holds no rows for. below_platform_minimum: a profile export has fewer people than the platform's minimum audience
                                 * @enum {string}
                                 */
                                code: "no_data" | "below_platform_minimum";
                                /**
                                 * @description The request field naming them
                                 * @enum {string}
                                 */
                                field: "days" | "topic_id_prefixes" | "scores" | "profile";
                                /** @description no_data: the values with no data (the first 20); below_platform_minimum: the profile */
                                values: string[];
                                /** @description More values have no data than listed */
                                truncated: boolean;
                                /** @description What to check, e.g. a typo in a prefix */
                                message: string;
                                /** @description below_platform_minimum: the people counted (at an estimate, at most this many: rows from footers) */
                                people?: number;
                                /** @description below_platform_minimum: the platform's minimum audience size */
                                minimum?: number;
                            }[];
                            /** @description Signed, expiring link to the export's manifest.json (every file with its rows, bytes and sha256, the schema and the request); written, then an empty _SUCCESS, when the export completes. Null before */
                            manifest_url: string | null;
                            /** @description Distinct non-null values of unique_by over the whole segment (a value in several partitions counts once); null until counted, and without unique_by */
                            unique_count: number | null;
                            /** @description Distinct values of unique_by per partition; null until counted, and without unique_by */
                            unique_counts: {
                                [key: string]: number;
                            } | null;
                            /** @description A profile export: distinct identifier values of the segment that are not a hex SHA-256 (64 hex characters), left out of the files and of the people counted; null until counted (or exported, for a task that exports at once), and without a profile */
                            invalid_identifiers: number | null;
                            /**
                             * @description A people export with splits: the people of every part by name, delivered or not (a holdout too); null until counted (or exported, for a task that exports at once), and without splits
                             * @example {
                             *       "A": 4512,
                             *       "B": 4470,
                             *       "holdout": 1018
                             *     }
                             */
                            split_counts: {
                                [key: string]: number;
                            } | null;
                            /** @description A people export with a holdout, once exported: the files of the parts not delivered, kept in the service's own area and never in your output (no download link); manifest.json lists them too. Null before and without splits */
                            held_back: {
                                /** @description The part (deliver: false) the file holds */
                                split: string;
                                /**
                                 * @description The file, relative to the task's folder of the service's own area (which is not shown): `split=NAME/data_0.parquet`, or `split=NAME/added/…` for a delta run
                                 * @example split=holdout/data_0.parquet
                                 */
                                path: string;
                                /** @description People in the file */
                                rows: number;
                                /** @description Size of the file in bytes */
                                size_bytes: number;
                                /** @description Hex SHA-256 of the file */
                                sha256: string | null;
                            }[] | null;
                            /** @description Per breakdown_by column: its top 50 values by count (then value), and one "(other)" entry summing the rest when there are more; null until counted, and without breakdown_by */
                            breakdowns: {
                                [key: string]: {
                                    /** @description The value (null for NULL), or "(other)" for the rest */
                                    value: unknown;
                                    /** @description Rows with the value */
                                    count: number;
                                    /** @description Distinct unique_by values (with unique_by) */
                                    unique_count?: number;
                                }[];
                            } | null;
                            /** @description A saved audience's delta run, once counted: its members, who joined (added, exported under the key "added") and who left (removed, under "removed") since previous_run_id; baseline new: every member is added. Null for other tasks */
                            delta: {
                                /**
                                 * @description new: every member counts as added; previous: compared with previous_run_id
                                 * @enum {string}
                                 */
                                baseline: "new" | "previous";
                                /** @description The run compared with; null with baseline new */
                                previous_run_id: string | null;
                                /** @description People in the audience at this run */
                                members: number;
                                /** @description Members who joined since the previous run */
                                added: number;
                                /** @description Members who left since the previous run */
                                removed: number;
                                /** @description Members in both runs */
                                kept: number;
                            } | null;
                            /** @description The normalised request */
                            request: unknown;
                        };
                    };
                };
                /** @description unchanged since the ETag sent in If-None-Match */
                304: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description The request is not valid: `detail` says what to change and `errors` names each offending field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description No valid credentials: send X-API-Key, or Authorization: Bearer <token> from POST /auth/v1/login (session_ended: that login was ended by a logout or a password change; log in again) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Refused: an API key without the `read` scope (scope_missing) */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Not found: no such resource in your organisation */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Too many requests (the per-minute rate limit, login attempts, or tasks in progress): try again after Retry-After */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Internal error: the detail never shows the cause; try again, and report it if it persists */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/tasks/{task_id}/unload": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Export a counted task */
        post: {
            parameters: {
                query?: never;
                header?: {
                    /** @description Makes the request safe to retry: 1-255 printable ASCII characters (a UUID, say), unique per request. The same key with the same request within IDEMPOTENCY_TTL (24 h) answers as the first did, with `Idempotent-Replayed: true`, without doing the work again; with another request, 422 `idempotency_key_reused`. Only successes are kept: after an error the key is free again. Keys are per organisation. */
                    "idempotency-key"?: string;
                };
                path: {
                    /** @description task_id of the task, as its create answered */
                    task_id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Accepted: the task runs in the background; Location names its status */
                202: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @description The task: follow it at GET /api/v1/status/{task_id} */
                            task_id: string;
                            /**
                             * @description in_progress (counting), counted (waiting for POST .../unload), unloading (exporting), or the final completed, failed (can be retried) or cancelled
                             * @enum {string}
                             */
                            status: "in_progress" | "counted" | "unloading" | "completed" | "failed" | "cancelled";
                            /** @description Jobs of the current phase (count or export) */
                            total_jobs: number;
                            /** @description Jobs of the current phase done so far: the progress */
                            completed_jobs: number;
                            /** @description Intent requests over the server's tree: each requested day, prefix or score with no data, which counts as 0 (with strict: true the create answers 400 instead). With a profile: people below the platform's minimum audience. Empty when there is nothing to warn of */
                            warnings?: {
                                /**
                                 * @description no_data: the request names values the data holds no rows for. below_platform_minimum: a profile export has fewer people than the platform's minimum audience
                                 * @enum {string}
                                 */
                                code: "no_data" | "below_platform_minimum";
                                /**
                                 * @description The request field naming them
                                 * @enum {string}
                                 */
                                field: "days" | "topic_id_prefixes" | "scores" | "profile";
                                /** @description no_data: the values with no data (the first 20); below_platform_minimum: the profile */
                                values: string[];
                                /** @description More values have no data than listed */
                                truncated: boolean;
                                /** @description What to check, e.g. a typo in a prefix */
                                message: string;
                                /** @description below_platform_minimum: the people counted (at an estimate, at most this many: rows from footers) */
                                people?: number;
                                /** @description below_platform_minimum: the platform's minimum audience size */
                                minimum?: number;
                            }[];
                        };
                    };
                };
                /** @description The request is not valid: `detail` says what to change and `errors` names each offending field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description No valid credentials: send X-API-Key, or Authorization: Bearer <token> from POST /auth/v1/login (session_ended: that login was ended by a logout or a password change; log in again) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Refused: an API key without the `write` scope (scope_missing), or a browser session without its X-CSRF-Token (csrf_failed) */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Not found: no such resource in your organisation */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Conflicts with the current state; `code` says which (a name or e-mail taken, a task or run in another status, an Idempotency-Key still in use) */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Understood but not done: an Idempotency-Key reused with another request, or a preview that could not read the segment */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Too many requests (the per-minute rate limit, login attempts, or tasks in progress): try again after Retry-After */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Internal error: the detail never shows the cause; try again, and report it if it persists */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/tasks/{task_id}/cancel": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Cancel a task that has not ended
         * @description The task becomes `cancelled` at once; a job running for it is interrupted within moments, even in the middle of a query, and the files it exported so far are removed (the detail lists none). Later deliveries of its jobs do nothing. 409 for a task already `completed`, `failed` or `cancelled`.
         */
        post: {
            parameters: {
                query?: never;
                header?: {
                    /** @description Makes the request safe to retry: 1-255 printable ASCII characters (a UUID, say), unique per request. The same key with the same request within IDEMPOTENCY_TTL (24 h) answers as the first did, with `Idempotent-Replayed: true`, without doing the work again; with another request, 422 `idempotency_key_reused`. Only successes are kept: after an error the key is free again. Keys are per organisation. */
                    "idempotency-key"?: string;
                };
                path: {
                    /** @description task_id of the task, as its create answered */
                    task_id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Accepted: the task runs in the background; Location names its status */
                202: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @description The task: follow it at GET /api/v1/status/{task_id} */
                            task_id: string;
                            /**
                             * @description in_progress (counting), counted (waiting for POST .../unload), unloading (exporting), or the final completed, failed (can be retried) or cancelled
                             * @enum {string}
                             */
                            status: "in_progress" | "counted" | "unloading" | "completed" | "failed" | "cancelled";
                            /** @description Jobs of the current phase (count or export) */
                            total_jobs: number;
                            /** @description Jobs of the current phase done so far: the progress */
                            completed_jobs: number;
                            /** @description Intent requests over the server's tree: each requested day, prefix or score with no data, which counts as 0 (with strict: true the create answers 400 instead). With a profile: people below the platform's minimum audience. Empty when there is nothing to warn of */
                            warnings?: {
                                /**
                                 * @description no_data: the request names values the data holds no rows for. below_platform_minimum: a profile export has fewer people than the platform's minimum audience
                                 * @enum {string}
                                 */
                                code: "no_data" | "below_platform_minimum";
                                /**
                                 * @description The request field naming them
                                 * @enum {string}
                                 */
                                field: "days" | "topic_id_prefixes" | "scores" | "profile";
                                /** @description no_data: the values with no data (the first 20); below_platform_minimum: the profile */
                                values: string[];
                                /** @description More values have no data than listed */
                                truncated: boolean;
                                /** @description What to check, e.g. a typo in a prefix */
                                message: string;
                                /** @description below_platform_minimum: the people counted (at an estimate, at most this many: rows from footers) */
                                people?: number;
                                /** @description below_platform_minimum: the platform's minimum audience size */
                                minimum?: number;
                            }[];
                        };
                    };
                };
                /** @description The request is not valid: `detail` says what to change and `errors` names each offending field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description No valid credentials: send X-API-Key, or Authorization: Bearer <token> from POST /auth/v1/login (session_ended: that login was ended by a logout or a password change; log in again) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Refused: an API key without the `write` scope (scope_missing), or a browser session without its X-CSRF-Token (csrf_failed) */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Not found: no such resource in your organisation */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Conflicts with the current state; `code` says which (a name or e-mail taken, a task or run in another status, an Idempotency-Key still in use) */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Understood but not done: an Idempotency-Key reused with another request, or a preview that could not read the segment */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Too many requests (the per-minute rate limit, login attempts, or tasks in progress): try again after Retry-After */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Internal error: the detail never shows the cause; try again, and report it if it persists */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/tasks/{task_id}/retry": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Run a failed task's failed jobs again
         * @description For a `failed` task (after, say, a bucket permission or a corrupt file was fixed): its failed jobs run again, the task goes back to `in_progress` (counting) or `unloading` (exporting) without its error, and continues where it stopped; jobs that were done are not run again. 409 in any other status.
         */
        post: {
            parameters: {
                query?: never;
                header?: {
                    /** @description Makes the request safe to retry: 1-255 printable ASCII characters (a UUID, say), unique per request. The same key with the same request within IDEMPOTENCY_TTL (24 h) answers as the first did, with `Idempotent-Replayed: true`, without doing the work again; with another request, 422 `idempotency_key_reused`. Only successes are kept: after an error the key is free again. Keys are per organisation. */
                    "idempotency-key"?: string;
                };
                path: {
                    /** @description task_id of the task, as its create answered */
                    task_id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Accepted: the task runs in the background; Location names its status */
                202: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @description The task: follow it at GET /api/v1/status/{task_id} */
                            task_id: string;
                            /**
                             * @description in_progress (counting), counted (waiting for POST .../unload), unloading (exporting), or the final completed, failed (can be retried) or cancelled
                             * @enum {string}
                             */
                            status: "in_progress" | "counted" | "unloading" | "completed" | "failed" | "cancelled";
                            /** @description Jobs of the current phase (count or export) */
                            total_jobs: number;
                            /** @description Jobs of the current phase done so far: the progress */
                            completed_jobs: number;
                            /** @description Intent requests over the server's tree: each requested day, prefix or score with no data, which counts as 0 (with strict: true the create answers 400 instead). With a profile: people below the platform's minimum audience. Empty when there is nothing to warn of */
                            warnings?: {
                                /**
                                 * @description no_data: the request names values the data holds no rows for. below_platform_minimum: a profile export has fewer people than the platform's minimum audience
                                 * @enum {string}
                                 */
                                code: "no_data" | "below_platform_minimum";
                                /**
                                 * @description The request field naming them
                                 * @enum {string}
                                 */
                                field: "days" | "topic_id_prefixes" | "scores" | "profile";
                                /** @description no_data: the values with no data (the first 20); below_platform_minimum: the profile */
                                values: string[];
                                /** @description More values have no data than listed */
                                truncated: boolean;
                                /** @description What to check, e.g. a typo in a prefix */
                                message: string;
                                /** @description below_platform_minimum: the people counted (at an estimate, at most this many: rows from footers) */
                                people?: number;
                                /** @description below_platform_minimum: the platform's minimum audience size */
                                minimum?: number;
                            }[];
                        };
                    };
                };
                /** @description The request is not valid: `detail` says what to change and `errors` names each offending field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description No valid credentials: send X-API-Key, or Authorization: Bearer <token> from POST /auth/v1/login (session_ended: that login was ended by a logout or a password change; log in again) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Refused: an API key without the `write` scope (scope_missing), or a browser session without its X-CSRF-Token (csrf_failed) */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Not found: no such resource in your organisation */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Conflicts with the current state; `code` says which (a name or e-mail taken, a task or run in another status, an Idempotency-Key still in use) */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Understood but not done: an Idempotency-Key reused with another request, or a preview that could not read the segment */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Too many requests (the per-minute rate limit, login attempts, or tasks in progress): try again after Retry-After */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Internal error: the detail never shows the cause; try again, and report it if it persists */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/audiences": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The organisation's audiences, newest first */
        get: {
            parameters: {
                query?: {
                    /**
                     * @description 1-100, default 20
                     * @example 20
                     */
                    limit?: string;
                    /** @description next_cursor of the previous page */
                    cursor?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description A page of the organisation's audiences */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @description A page of audiences, newest first */
                            audiences: {
                                /** @description The audience */
                                audience_id: string;
                                /** @description Unique in the organisation */
                                name: string;
                                description: string | null;
                                /**
                                 * @description intent or generic: the kind of task its runs are
                                 * @enum {string}
                                 */
                                kind: "intent" | "generic";
                                /** @description Grows with each change of the definition or window */
                                version: number;
                                /** @description null: runs only when asked (POST /api/v1/audiences/{id}/runs) */
                                schedule: {
                                    /**
                                     * @description A duration: 15m, 1h, 24h, 7d
                                     * @example 24h
                                     */
                                    every: string;
                                } | {
                                    /**
                                     * @description Five fields: minute hour day month weekday
                                     * @example 0 6 * * *
                                     */
                                    cron: string;
                                    /**
                                     * @description IANA time zone; default: the audience's
                                     * @example Europe/Berlin
                                     */
                                    timezone?: string;
                                } | null;
                                /** @description The schedule for people, e.g. "every day at 06:00" */
                                schedule_in_words: string;
                                /** @description true: the schedule is stopped */
                                paused: boolean;
                                /** @description How each run's export is delivered */
                                delivery: {
                                    /**
                                     * @description full or delta
                                     * @enum {string}
                                     */
                                    mode: "full" | "delta";
                                    path: string | null;
                                };
                                next_run_at: string | null;
                                /** @description The newest run; null before the first */
                                last_run: {
                                    /** @description The run */
                                    run_id: string;
                                    /** @description The audience it ran */
                                    audience_id: string;
                                    task_id: string | null;
                                    /** @description The audience's version the run read */
                                    version: number;
                                    /**
                                     * @description schedule: a slot of the schedule; manual: POST /api/v1/audiences/{audience_id}/runs
                                     * @enum {string}
                                     */
                                    trigger: "schedule" | "manual";
                                    scheduled_for: string | null;
                                    /**
                                     * Format: date-time
                                     * @description When the run started (UTC)
                                     */
                                    started_at: string;
                                    completed_at: string | null;
                                    /**
                                     * @description The task's status while it runs; skipped: a run was still going at the slot; expired: the task expired
                                     * @enum {string}
                                     */
                                    status: "in_progress" | "counted" | "unloading" | "completed" | "failed" | "cancelled" | "skipped" | "expired";
                                    days: string[] | null;
                                    total_count: number | null;
                                    people: number | null;
                                    added: number | null;
                                    removed: number | null;
                                    kept: number | null;
                                    split_counts: {
                                        [key: string]: number;
                                    } | null;
                                    baseline: ("new" | "previous") | null;
                                    previous_run_id: string | null;
                                    previous_version: number | null;
                                    /** @description Earlier slots this catch-up run stands for (every process was down) */
                                    missed_slots: number;
                                    reason: string | null;
                                } | null;
                                /** @description The completed runs among the last 30, oldest first */
                                size_history: {
                                    /** @description The run */
                                    run_id: string;
                                    /**
                                     * Format: date-time
                                     * @description When it completed (UTC)
                                     */
                                    completed_at: string;
                                    total_count: number | null;
                                    people: number | null;
                                }[];
                                /**
                                 * Format: date-time
                                 * @description When it was saved (UTC)
                                 */
                                created_at: string;
                                /**
                                 * Format: date-time
                                 * @description When it last changed (UTC)
                                 */
                                updated_at: string;
                            }[];
                            next_cursor: string | null;
                        };
                    };
                };
                /** @description The request is not valid: `detail` says what to change and `errors` names each offending field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description No valid credentials: send X-API-Key, or Authorization: Bearer <token> from POST /auth/v1/login (session_ended: that login was ended by a logout or a password change; log in again) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Refused: an API key without the `read` scope (scope_missing) */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Too many requests (the per-minute rate limit, login attempts, or tasks in progress): try again after Retry-After */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Internal error: the detail never shows the cause; try again, and report it if it persists */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        put?: never;
        /**
         * Save an audience: a task definition with a rolling window, a schedule and a delivery
         * @description Checked as a task create is (the same 400s), with the days its next run would read, so a bad filter is refused when saved, not when a scheduled run starts.
         */
        post: {
            parameters: {
                query?: never;
                header?: {
                    /** @description Makes the request safe to retry: 1-255 printable ASCII characters (a UUID, say), unique per request. The same key with the same request within IDEMPOTENCY_TTL (24 h) answers as the first did, with `Idempotent-Replayed: true`, without doing the work again; with another request, 422 `idempotency_key_reused`. Only successes are kept: after an error the key is free again. Keys are per organisation. */
                    "idempotency-key"?: string;
                };
                path?: never;
                cookie?: never;
            };
            /** @description A saved audience: a task definition, the days it reads, when it runs and where its files go */
            requestBody: {
                content: {
                    /**
                     * @example {
                     *       "name": "Cloud security, US and UK",
                     *       "kind": "intent",
                     *       "description": "US and UK people researching cloud security, refreshed every morning",
                     *       "definition": {
                     *         "topic_id_prefixes": [
                     *           "4eyes_101",
                     *           "4eyes_102"
                     *         ],
                     *         "scores": [
                     *           "medium",
                     *           "high"
                     *         ],
                     *         "where_expr": "intent_score >= 60 AND country IN ('US', 'GB')",
                     *         "unique_by": "person_id",
                     *         "output": "people"
                     *       },
                     *       "window": {
                     *         "last_days": 7,
                     *         "until": "latest"
                     *       },
                     *       "timezone": "Europe/Berlin",
                     *       "schedule": {
                     *         "cron": "0 6 * * *"
                     *       },
                     *       "delivery": {
                     *         "mode": "delta",
                     *         "path": "audiences/{audience}/{date}/{run_id}"
                     *       }
                     *     }
                     */
                    "application/json": {
                        /**
                         * @description Unique in your organisation
                         * @example Cloud security, US and UK
                         */
                        name: string;
                        /**
                         * @description intent: the definition is an intent task body (POST /api/v1/intent_hive_tasks); generic: a generic Parquet task body (POST /api/v1/generic_parquet_tasks)
                         * @example intent
                         * @enum {string}
                         */
                        kind: "intent" | "generic";
                        /**
                         * @description Free text for people: what the audience is for
                         * @example US and UK people researching cloud security, refreshed every morning
                         */
                        description?: string | null;
                        /**
                         * @description The body of a task of the kind (intent: POST /api/v1/intent_hive_tasks, generic: POST /api/v1/generic_parquet_tasks) without perform_unload and limit; an intent audience takes a window instead of days (or fixed days)
                         * @example {
                         *       "topic_id_prefixes": [
                         *         "4eyes_101",
                         *         "4eyes_102"
                         *       ],
                         *       "scores": [
                         *         "medium",
                         *         "high"
                         *       ],
                         *       "where_expr": "intent_score >= 60 AND country IN ('US', 'GB')",
                         *       "unique_by": "person_id",
                         *       "output": "people"
                         *     }
                         */
                        definition: {
                            [key: string]: unknown;
                        };
                        /**
                         * @description Intent audiences: the rolling days each run reads; null or absent: the fixed days of the definition
                         * @example {
                         *       "last_days": 7,
                         *       "until": "latest"
                         *     }
                         */
                        window?: {
                            /**
                             * @description How many calendar days, ending at until
                             * @example 7
                             */
                            last_days: number;
                            /**
                             * @description latest: the newest day the intent data holds; yesterday or today: in the audience's timezone, at the time of the run (its slot for a scheduled run)
                             * @default latest
                             * @example latest
                             * @enum {string}
                             */
                            until?: "latest" | "yesterday" | "today";
                        } | null;
                        /**
                         * @description IANA time zone; default UTC
                         * @example Europe/Berlin
                         */
                        timezone?: string;
                        /** @description null: runs only when asked (POST /api/v1/audiences/{id}/runs) */
                        schedule?: {
                            /**
                             * @description A duration: 15m, 1h, 24h, 7d
                             * @example 24h
                             */
                            every: string;
                        } | {
                            /**
                             * @description Five fields: minute hour day month weekday
                             * @example 0 6 * * *
                             */
                            cron: string;
                            /**
                             * @description IANA time zone; default: the audience's
                             * @example Europe/Berlin
                             */
                            timezone?: string;
                        } | null;
                        /**
                         * @description true stops the schedule without losing it
                         * @example false
                         */
                        paused?: boolean;
                        /** @description How each run's export is delivered */
                        delivery?: {
                            /**
                             * @description full: every run exports the whole audience. delta (output: people and unique_by): a run exports who joined (added, their people rows) and who left (removed, their unique_by values) since the last completed run; with a profile (no unique_by needed) both in the platform's file
                             * @default full
                             * @example delta
                             * @enum {string}
                             */
                            mode?: "full" | "delta";
                            /**
                             * @description Where each run's files go under your organisation's output folder, with the tokens {audience} (a slug of the name), {date} (the run's date, YYYY-MM-DD) and {run_id} (required, so drops never overwrite each other), e.g. audiences/{audience}/{date}/{run_id}. Default: the task folder
                             * @example audiences/{audience}/{date}/{run_id}
                             */
                            path?: string;
                        };
                    };
                };
            };
            responses: {
                /** @description The audience */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @description The audience */
                            audience_id: string;
                            /** @description Unique in the organisation */
                            name: string;
                            description: string | null;
                            /**
                             * @description intent or generic: the kind of task its runs are
                             * @enum {string}
                             */
                            kind: "intent" | "generic";
                            /** @description Grows with each change of the definition or window */
                            version: number;
                            /** @description null: runs only when asked (POST /api/v1/audiences/{id}/runs) */
                            schedule: {
                                /**
                                 * @description A duration: 15m, 1h, 24h, 7d
                                 * @example 24h
                                 */
                                every: string;
                            } | {
                                /**
                                 * @description Five fields: minute hour day month weekday
                                 * @example 0 6 * * *
                                 */
                                cron: string;
                                /**
                                 * @description IANA time zone; default: the audience's
                                 * @example Europe/Berlin
                                 */
                                timezone?: string;
                            } | null;
                            /** @description The schedule for people, e.g. "every day at 06:00" */
                            schedule_in_words: string;
                            /** @description true: the schedule is stopped */
                            paused: boolean;
                            /** @description How each run's export is delivered */
                            delivery: {
                                /**
                                 * @description full or delta
                                 * @enum {string}
                                 */
                                mode: "full" | "delta";
                                path: string | null;
                            };
                            next_run_at: string | null;
                            /** @description The newest run; null before the first */
                            last_run: {
                                /** @description The run */
                                run_id: string;
                                /** @description The audience it ran */
                                audience_id: string;
                                task_id: string | null;
                                /** @description The audience's version the run read */
                                version: number;
                                /**
                                 * @description schedule: a slot of the schedule; manual: POST /api/v1/audiences/{audience_id}/runs
                                 * @enum {string}
                                 */
                                trigger: "schedule" | "manual";
                                scheduled_for: string | null;
                                /**
                                 * Format: date-time
                                 * @description When the run started (UTC)
                                 */
                                started_at: string;
                                completed_at: string | null;
                                /**
                                 * @description The task's status while it runs; skipped: a run was still going at the slot; expired: the task expired
                                 * @enum {string}
                                 */
                                status: "in_progress" | "counted" | "unloading" | "completed" | "failed" | "cancelled" | "skipped" | "expired";
                                days: string[] | null;
                                total_count: number | null;
                                people: number | null;
                                added: number | null;
                                removed: number | null;
                                kept: number | null;
                                split_counts: {
                                    [key: string]: number;
                                } | null;
                                baseline: ("new" | "previous") | null;
                                previous_run_id: string | null;
                                previous_version: number | null;
                                /** @description Earlier slots this catch-up run stands for (every process was down) */
                                missed_slots: number;
                                reason: string | null;
                            } | null;
                            /** @description The completed runs among the last 30, oldest first */
                            size_history: {
                                /** @description The run */
                                run_id: string;
                                /**
                                 * Format: date-time
                                 * @description When it completed (UTC)
                                 */
                                completed_at: string;
                                total_count: number | null;
                                people: number | null;
                            }[];
                            /**
                             * Format: date-time
                             * @description When it was saved (UTC)
                             */
                            created_at: string;
                            /**
                             * Format: date-time
                             * @description When it last changed (UTC)
                             */
                            updated_at: string;
                            /** @description The task body its runs use, as saved */
                            definition: {
                                [key: string]: unknown;
                            };
                            window: {
                                /**
                                 * @description How many calendar days, ending at until
                                 * @example 7
                                 */
                                last_days: number;
                                /**
                                 * @description latest: the newest day the intent data holds; yesterday or today: in the audience's timezone, at the time of the run (its slot for a scheduled run)
                                 * @default latest
                                 * @example latest
                                 * @enum {string}
                                 */
                                until: "latest" | "yesterday" | "today";
                            } | null;
                            /** @description IANA time zone of the window and the schedule */
                            timezone: string;
                            days: string[] | null;
                        };
                    };
                };
                /** @description The request is not valid: `detail` says what to change and `errors` names each offending field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description No valid credentials: send X-API-Key, or Authorization: Bearer <token> from POST /auth/v1/login (session_ended: that login was ended by a logout or a password change; log in again) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Refused: an API key without the `write` scope (scope_missing), or a browser session without its X-CSRF-Token (csrf_failed) */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Conflicts with the current state; `code` says which (a name or e-mail taken, a task or run in another status, an Idempotency-Key still in use) */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description The body (or an expression in it) is too large */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description The body is not application/json */
                415: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Understood but not done: an Idempotency-Key reused with another request, or a preview that could not read the segment */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Too many requests (the per-minute rate limit, login attempts, or tasks in progress): try again after Retry-After */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Internal error: the detail never shows the cause; try again, and report it if it persists */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description A service this request needs (storage, store or queue) did not answer or is busy: try again later */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/audiences/estimate": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** What an audience's next run would read (its window resolved now); nothing is stored */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            /** @description An audience's kind, definition and window, as a save would take them */
            requestBody: {
                content: {
                    /**
                     * @example {
                     *       "kind": "intent",
                     *       "definition": {
                     *         "topic_id_prefixes": [
                     *           "4eyes_101",
                     *           "4eyes_102"
                     *         ],
                     *         "scores": [
                     *           "high"
                     *         ],
                     *         "unique_by": "person_id"
                     *       },
                     *       "window": {
                     *         "last_days": 7,
                     *         "until": "latest"
                     *       },
                     *       "timezone": "UTC"
                     *     }
                     */
                    "application/json": {
                        /**
                         * @description intent: the definition is an intent task body (POST /api/v1/intent_hive_tasks); generic: a generic Parquet task body (POST /api/v1/generic_parquet_tasks)
                         * @example intent
                         * @enum {string}
                         */
                        kind: "intent" | "generic";
                        /**
                         * @description The body of a task of the kind (intent: POST /api/v1/intent_hive_tasks, generic: POST /api/v1/generic_parquet_tasks) without perform_unload and limit; an intent audience takes a window instead of days (or fixed days)
                         * @example {
                         *       "topic_id_prefixes": [
                         *         "4eyes_101",
                         *         "4eyes_102"
                         *       ],
                         *       "scores": [
                         *         "medium",
                         *         "high"
                         *       ],
                         *       "where_expr": "intent_score >= 60 AND country IN ('US', 'GB')",
                         *       "unique_by": "person_id",
                         *       "output": "people"
                         *     }
                         */
                        definition: {
                            [key: string]: unknown;
                        };
                        /**
                         * @description Intent audiences: the rolling days each run reads; null or absent: the fixed days of the definition
                         * @example {
                         *       "last_days": 7,
                         *       "until": "latest"
                         *     }
                         */
                        window?: {
                            /**
                             * @description How many calendar days, ending at until
                             * @example 7
                             */
                            last_days: number;
                            /**
                             * @description latest: the newest day the intent data holds; yesterday or today: in the audience's timezone, at the time of the run (its slot for a scheduled run)
                             * @default latest
                             * @example latest
                             * @enum {string}
                             */
                            until?: "latest" | "yesterday" | "today";
                        } | null;
                        /**
                         * @description IANA time zone; default UTC
                         * @example Europe/Berlin
                         */
                        timezone?: string;
                    };
                };
            };
            responses: {
                /** @description What the task would read; nothing was stored */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @description Partitions the request covers: days × prefixes × scores, or the folders of a generic tree */
                            partitions: number;
                            /** @description Partitions holding at least one Parquet file */
                            partitions_with_data: number;
                            /** @description Requested partitions holding no Parquet file, in request order: the first 100 */
                            missing_partitions: string[];
                            /** @description More partitions are missing than listed */
                            missing_partitions_truncated: boolean;
                            /** @description Parquet files the task would read */
                            files: number;
                            /** @description Input bytes the task would read */
                            bytes: number;
                            /** @description Rows in those files, from their footers: exact without where_expr, an upper bound with it */
                            rows: number;
                            /** @description false when where_expr may leave rows out */
                            rows_exact: boolean;
                            /** @description Intent requests over the server's tree: each requested day, prefix or score with no data, which counts as 0 (with strict: true the create answers 400 instead). With a profile: people below the platform's minimum audience. Empty when there is nothing to warn of */
                            warnings?: {
                                /**
                                 * @description no_data: the request names values the data holds no rows for. below_platform_minimum: a profile export has fewer people than the platform's minimum audience
                                 * @enum {string}
                                 */
                                code: "no_data" | "below_platform_minimum";
                                /**
                                 * @description The request field naming them
                                 * @enum {string}
                                 */
                                field: "days" | "topic_id_prefixes" | "scores" | "profile";
                                /** @description no_data: the values with no data (the first 20); below_platform_minimum: the profile */
                                values: string[];
                                /** @description More values have no data than listed */
                                truncated: boolean;
                                /** @description What to check, e.g. a typo in a prefix */
                                message: string;
                                /** @description below_platform_minimum: the people counted (at an estimate, at most this many: rows from footers) */
                                people?: number;
                                /** @description below_platform_minimum: the platform's minimum audience size */
                                minimum?: number;
                            }[];
                        };
                    };
                };
                /** @description The request is not valid: `detail` says what to change and `errors` names each offending field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description No valid credentials: send X-API-Key, or Authorization: Bearer <token> from POST /auth/v1/login (session_ended: that login was ended by a logout or a password change; log in again) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Refused: an API key without the `read` scope (scope_missing), or a browser session without its X-CSRF-Token (csrf_failed) */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description The body (or an expression in it) is too large */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description The body is not application/json */
                415: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Too many requests (the per-minute rate limit, login attempts, or tasks in progress): try again after Retry-After */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Internal error: the detail never shows the cause; try again, and report it if it persists */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description A service this request needs (storage, store or queue) did not answer or is busy: try again later */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/audiences/{audience_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** An audience: definition, schedule, delivery, last and next run, size over the last 30 runs */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    /** @description audience_id of the audience */
                    audience_id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The audience */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @description The audience */
                            audience_id: string;
                            /** @description Unique in the organisation */
                            name: string;
                            description: string | null;
                            /**
                             * @description intent or generic: the kind of task its runs are
                             * @enum {string}
                             */
                            kind: "intent" | "generic";
                            /** @description Grows with each change of the definition or window */
                            version: number;
                            /** @description null: runs only when asked (POST /api/v1/audiences/{id}/runs) */
                            schedule: {
                                /**
                                 * @description A duration: 15m, 1h, 24h, 7d
                                 * @example 24h
                                 */
                                every: string;
                            } | {
                                /**
                                 * @description Five fields: minute hour day month weekday
                                 * @example 0 6 * * *
                                 */
                                cron: string;
                                /**
                                 * @description IANA time zone; default: the audience's
                                 * @example Europe/Berlin
                                 */
                                timezone?: string;
                            } | null;
                            /** @description The schedule for people, e.g. "every day at 06:00" */
                            schedule_in_words: string;
                            /** @description true: the schedule is stopped */
                            paused: boolean;
                            /** @description How each run's export is delivered */
                            delivery: {
                                /**
                                 * @description full or delta
                                 * @enum {string}
                                 */
                                mode: "full" | "delta";
                                path: string | null;
                            };
                            next_run_at: string | null;
                            /** @description The newest run; null before the first */
                            last_run: {
                                /** @description The run */
                                run_id: string;
                                /** @description The audience it ran */
                                audience_id: string;
                                task_id: string | null;
                                /** @description The audience's version the run read */
                                version: number;
                                /**
                                 * @description schedule: a slot of the schedule; manual: POST /api/v1/audiences/{audience_id}/runs
                                 * @enum {string}
                                 */
                                trigger: "schedule" | "manual";
                                scheduled_for: string | null;
                                /**
                                 * Format: date-time
                                 * @description When the run started (UTC)
                                 */
                                started_at: string;
                                completed_at: string | null;
                                /**
                                 * @description The task's status while it runs; skipped: a run was still going at the slot; expired: the task expired
                                 * @enum {string}
                                 */
                                status: "in_progress" | "counted" | "unloading" | "completed" | "failed" | "cancelled" | "skipped" | "expired";
                                days: string[] | null;
                                total_count: number | null;
                                people: number | null;
                                added: number | null;
                                removed: number | null;
                                kept: number | null;
                                split_counts: {
                                    [key: string]: number;
                                } | null;
                                baseline: ("new" | "previous") | null;
                                previous_run_id: string | null;
                                previous_version: number | null;
                                /** @description Earlier slots this catch-up run stands for (every process was down) */
                                missed_slots: number;
                                reason: string | null;
                            } | null;
                            /** @description The completed runs among the last 30, oldest first */
                            size_history: {
                                /** @description The run */
                                run_id: string;
                                /**
                                 * Format: date-time
                                 * @description When it completed (UTC)
                                 */
                                completed_at: string;
                                total_count: number | null;
                                people: number | null;
                            }[];
                            /**
                             * Format: date-time
                             * @description When it was saved (UTC)
                             */
                            created_at: string;
                            /**
                             * Format: date-time
                             * @description When it last changed (UTC)
                             */
                            updated_at: string;
                            /** @description The task body its runs use, as saved */
                            definition: {
                                [key: string]: unknown;
                            };
                            window: {
                                /**
                                 * @description How many calendar days, ending at until
                                 * @example 7
                                 */
                                last_days: number;
                                /**
                                 * @description latest: the newest day the intent data holds; yesterday or today: in the audience's timezone, at the time of the run (its slot for a scheduled run)
                                 * @default latest
                                 * @example latest
                                 * @enum {string}
                                 */
                                until: "latest" | "yesterday" | "today";
                            } | null;
                            /** @description IANA time zone of the window and the schedule */
                            timezone: string;
                            days: string[] | null;
                        };
                    };
                };
                /** @description The request is not valid: `detail` says what to change and `errors` names each offending field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description No valid credentials: send X-API-Key, or Authorization: Bearer <token> from POST /auth/v1/login (session_ended: that login was ended by a logout or a password change; log in again) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Refused: an API key without the `read` scope (scope_missing) */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Not found: no such resource in your organisation */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Too many requests (the per-minute rate limit, login attempts, or tasks in progress): try again after Retry-After */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Internal error: the detail never shows the cause; try again, and report it if it persists */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        /** Delete an audience: its schedule stops; finished runs keep their files until they expire */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    /** @description audience_id of the audience */
                    audience_id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Deleted */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description The request is not valid: `detail` says what to change and `errors` names each offending field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description No valid credentials: send X-API-Key, or Authorization: Bearer <token> from POST /auth/v1/login (session_ended: that login was ended by a logout or a password change; log in again) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Refused: an API key without the `write` scope (scope_missing), or a browser session without its X-CSRF-Token (csrf_failed) */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Not found: no such resource in your organisation */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Too many requests (the per-minute rate limit, login attempts, or tasks in progress): try again after Retry-After */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Internal error: the detail never shows the cause; try again, and report it if it persists */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        options?: never;
        head?: never;
        /**
         * Change any field of an audience
         * @description A changed definition or window makes a new version; a changed definition also makes the next delta run a baseline (every member delivered as added).
         */
        patch: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    /** @description audience_id of the audience */
                    audience_id: string;
                };
                cookie?: never;
            };
            /** @description The fields to change (at least one); the others stay as they are */
            requestBody: {
                content: {
                    /**
                     * @example {
                     *       "schedule": {
                     *         "every": "24h"
                     *       },
                     *       "paused": false
                     *     }
                     */
                    "application/json": {
                        /**
                         * @description A new name, unique in your organisation
                         * @example Cloud security, US and UK
                         */
                        name?: string;
                        /**
                         * @description Free text for people: what the audience is for
                         * @example US and UK people researching cloud security, refreshed every morning
                         */
                        description?: string | null;
                        /**
                         * @description The body of a task of the kind (intent: POST /api/v1/intent_hive_tasks, generic: POST /api/v1/generic_parquet_tasks) without perform_unload and limit; an intent audience takes a window instead of days (or fixed days)
                         * @example {
                         *       "topic_id_prefixes": [
                         *         "4eyes_101",
                         *         "4eyes_102"
                         *       ],
                         *       "scores": [
                         *         "medium",
                         *         "high"
                         *       ],
                         *       "where_expr": "intent_score >= 60 AND country IN ('US', 'GB')",
                         *       "unique_by": "person_id",
                         *       "output": "people"
                         *     }
                         */
                        definition?: {
                            [key: string]: unknown;
                        };
                        /**
                         * @description Intent audiences: the rolling days each run reads; null or absent: the fixed days of the definition
                         * @example {
                         *       "last_days": 7,
                         *       "until": "latest"
                         *     }
                         */
                        window?: {
                            /**
                             * @description How many calendar days, ending at until
                             * @example 7
                             */
                            last_days: number;
                            /**
                             * @description latest: the newest day the intent data holds; yesterday or today: in the audience's timezone, at the time of the run (its slot for a scheduled run)
                             * @default latest
                             * @example latest
                             * @enum {string}
                             */
                            until?: "latest" | "yesterday" | "today";
                        } | null;
                        /**
                         * @description IANA time zone; default UTC
                         * @example Europe/Berlin
                         */
                        timezone?: string;
                        /** @description null: runs only when asked (POST /api/v1/audiences/{id}/runs) */
                        schedule?: {
                            /**
                             * @description A duration: 15m, 1h, 24h, 7d
                             * @example 24h
                             */
                            every: string;
                        } | {
                            /**
                             * @description Five fields: minute hour day month weekday
                             * @example 0 6 * * *
                             */
                            cron: string;
                            /**
                             * @description IANA time zone; default: the audience's
                             * @example Europe/Berlin
                             */
                            timezone?: string;
                        } | null;
                        /**
                         * @description true stops the schedule without losing it
                         * @example false
                         */
                        paused?: boolean;
                        /** @description How each run's export is delivered */
                        delivery?: {
                            /**
                             * @description full: every run exports the whole audience. delta (output: people and unique_by): a run exports who joined (added, their people rows) and who left (removed, their unique_by values) since the last completed run; with a profile (no unique_by needed) both in the platform's file
                             * @default full
                             * @example delta
                             * @enum {string}
                             */
                            mode?: "full" | "delta";
                            /**
                             * @description Where each run's files go under your organisation's output folder, with the tokens {audience} (a slug of the name), {date} (the run's date, YYYY-MM-DD) and {run_id} (required, so drops never overwrite each other), e.g. audiences/{audience}/{date}/{run_id}. Default: the task folder
                             * @example audiences/{audience}/{date}/{run_id}
                             */
                            path?: string;
                        };
                    };
                };
            };
            responses: {
                /** @description The audience */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @description The audience */
                            audience_id: string;
                            /** @description Unique in the organisation */
                            name: string;
                            description: string | null;
                            /**
                             * @description intent or generic: the kind of task its runs are
                             * @enum {string}
                             */
                            kind: "intent" | "generic";
                            /** @description Grows with each change of the definition or window */
                            version: number;
                            /** @description null: runs only when asked (POST /api/v1/audiences/{id}/runs) */
                            schedule: {
                                /**
                                 * @description A duration: 15m, 1h, 24h, 7d
                                 * @example 24h
                                 */
                                every: string;
                            } | {
                                /**
                                 * @description Five fields: minute hour day month weekday
                                 * @example 0 6 * * *
                                 */
                                cron: string;
                                /**
                                 * @description IANA time zone; default: the audience's
                                 * @example Europe/Berlin
                                 */
                                timezone?: string;
                            } | null;
                            /** @description The schedule for people, e.g. "every day at 06:00" */
                            schedule_in_words: string;
                            /** @description true: the schedule is stopped */
                            paused: boolean;
                            /** @description How each run's export is delivered */
                            delivery: {
                                /**
                                 * @description full or delta
                                 * @enum {string}
                                 */
                                mode: "full" | "delta";
                                path: string | null;
                            };
                            next_run_at: string | null;
                            /** @description The newest run; null before the first */
                            last_run: {
                                /** @description The run */
                                run_id: string;
                                /** @description The audience it ran */
                                audience_id: string;
                                task_id: string | null;
                                /** @description The audience's version the run read */
                                version: number;
                                /**
                                 * @description schedule: a slot of the schedule; manual: POST /api/v1/audiences/{audience_id}/runs
                                 * @enum {string}
                                 */
                                trigger: "schedule" | "manual";
                                scheduled_for: string | null;
                                /**
                                 * Format: date-time
                                 * @description When the run started (UTC)
                                 */
                                started_at: string;
                                completed_at: string | null;
                                /**
                                 * @description The task's status while it runs; skipped: a run was still going at the slot; expired: the task expired
                                 * @enum {string}
                                 */
                                status: "in_progress" | "counted" | "unloading" | "completed" | "failed" | "cancelled" | "skipped" | "expired";
                                days: string[] | null;
                                total_count: number | null;
                                people: number | null;
                                added: number | null;
                                removed: number | null;
                                kept: number | null;
                                split_counts: {
                                    [key: string]: number;
                                } | null;
                                baseline: ("new" | "previous") | null;
                                previous_run_id: string | null;
                                previous_version: number | null;
                                /** @description Earlier slots this catch-up run stands for (every process was down) */
                                missed_slots: number;
                                reason: string | null;
                            } | null;
                            /** @description The completed runs among the last 30, oldest first */
                            size_history: {
                                /** @description The run */
                                run_id: string;
                                /**
                                 * Format: date-time
                                 * @description When it completed (UTC)
                                 */
                                completed_at: string;
                                total_count: number | null;
                                people: number | null;
                            }[];
                            /**
                             * Format: date-time
                             * @description When it was saved (UTC)
                             */
                            created_at: string;
                            /**
                             * Format: date-time
                             * @description When it last changed (UTC)
                             */
                            updated_at: string;
                            /** @description The task body its runs use, as saved */
                            definition: {
                                [key: string]: unknown;
                            };
                            window: {
                                /**
                                 * @description How many calendar days, ending at until
                                 * @example 7
                                 */
                                last_days: number;
                                /**
                                 * @description latest: the newest day the intent data holds; yesterday or today: in the audience's timezone, at the time of the run (its slot for a scheduled run)
                                 * @default latest
                                 * @example latest
                                 * @enum {string}
                                 */
                                until: "latest" | "yesterday" | "today";
                            } | null;
                            /** @description IANA time zone of the window and the schedule */
                            timezone: string;
                            days: string[] | null;
                        };
                    };
                };
                /** @description The request is not valid: `detail` says what to change and `errors` names each offending field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description No valid credentials: send X-API-Key, or Authorization: Bearer <token> from POST /auth/v1/login (session_ended: that login was ended by a logout or a password change; log in again) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Refused: an API key without the `write` scope (scope_missing), or a browser session without its X-CSRF-Token (csrf_failed) */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Not found: no such resource in your organisation */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Conflicts with the current state; `code` says which (a name or e-mail taken, a task or run in another status, an Idempotency-Key still in use) */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description The body (or an expression in it) is too large */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description The body is not application/json */
                415: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Too many requests (the per-minute rate limit, login attempts, or tasks in progress): try again after Retry-After */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Internal error: the detail never shows the cause; try again, and report it if it persists */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description A service this request needs (storage, store or queue) did not answer or is busy: try again later */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        trace?: never;
    };
    "/api/v1/audiences/{audience_id}/runs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** An audience's runs and skipped slots, newest first, with added, removed and kept for delta runs */
        get: {
            parameters: {
                query?: {
                    /**
                     * @description 1-100, default 20
                     * @example 20
                     */
                    limit?: string;
                    /** @description next_cursor of the previous page */
                    cursor?: string;
                };
                header?: never;
                path: {
                    /** @description audience_id of the audience */
                    audience_id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description A page of the audience's runs */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @description A page of runs and skipped slots, newest first */
                            runs: {
                                /** @description The run */
                                run_id: string;
                                /** @description The audience it ran */
                                audience_id: string;
                                task_id: string | null;
                                /** @description The audience's version the run read */
                                version: number;
                                /**
                                 * @description schedule: a slot of the schedule; manual: POST /api/v1/audiences/{audience_id}/runs
                                 * @enum {string}
                                 */
                                trigger: "schedule" | "manual";
                                scheduled_for: string | null;
                                /**
                                 * Format: date-time
                                 * @description When the run started (UTC)
                                 */
                                started_at: string;
                                completed_at: string | null;
                                /**
                                 * @description The task's status while it runs; skipped: a run was still going at the slot; expired: the task expired
                                 * @enum {string}
                                 */
                                status: "in_progress" | "counted" | "unloading" | "completed" | "failed" | "cancelled" | "skipped" | "expired";
                                days: string[] | null;
                                total_count: number | null;
                                people: number | null;
                                added: number | null;
                                removed: number | null;
                                kept: number | null;
                                split_counts: {
                                    [key: string]: number;
                                } | null;
                                baseline: ("new" | "previous") | null;
                                previous_run_id: string | null;
                                previous_version: number | null;
                                /** @description Earlier slots this catch-up run stands for (every process was down) */
                                missed_slots: number;
                                reason: string | null;
                            }[];
                            next_cursor: string | null;
                        };
                    };
                };
                /** @description The request is not valid: `detail` says what to change and `errors` names each offending field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description No valid credentials: send X-API-Key, or Authorization: Bearer <token> from POST /auth/v1/login (session_ended: that login was ended by a logout or a password change; log in again) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Refused: an API key without the `read` scope (scope_missing) */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Not found: no such resource in your organisation */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Too many requests (the per-minute rate limit, login attempts, or tasks in progress): try again after Retry-After */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Internal error: the detail never shows the cause; try again, and report it if it persists */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        put?: never;
        /** Run an audience now: an ordinary task (status, outputs, manifest, cancel, retry) that names the run */
        post: {
            parameters: {
                query?: never;
                header?: {
                    /** @description Makes the request safe to retry: 1-255 printable ASCII characters (a UUID, say), unique per request. The same key with the same request within IDEMPOTENCY_TTL (24 h) answers as the first did, with `Idempotent-Replayed: true`, without doing the work again; with another request, 422 `idempotency_key_reused`. Only successes are kept: after an error the key is free again. Keys are per organisation. */
                    "idempotency-key"?: string;
                };
                path: {
                    /** @description audience_id of the audience */
                    audience_id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Started: the run is an ordinary task; Location names its status */
                202: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @description The run: GET /api/v1/audiences/{audience_id}/runs/{run_id} */
                            run_id: string;
                            /** @description Its task: GET /api/v1/status/{task_id} */
                            task_id: string;
                            /** @description The audience */
                            audience_id: string;
                            days: string[] | null;
                            baseline: ("new" | "previous") | null;
                            previous_run_id: string | null;
                        };
                    };
                };
                /** @description The request is not valid: `detail` says what to change and `errors` names each offending field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description No valid credentials: send X-API-Key, or Authorization: Bearer <token> from POST /auth/v1/login (session_ended: that login was ended by a logout or a password change; log in again) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Refused: an API key without the `write` scope (scope_missing), or a browser session without its X-CSRF-Token (csrf_failed) */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Not found: no such resource in your organisation */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Conflicts with the current state; `code` says which (a name or e-mail taken, a task or run in another status, an Idempotency-Key still in use) */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Understood but not done: an Idempotency-Key reused with another request, or a preview that could not read the segment */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Too many requests (the per-minute rate limit, login attempts, or tasks in progress): try again after Retry-After */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Internal error: the detail never shows the cause; try again, and report it if it persists */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description A service this request needs (storage, store or queue) did not answer or is busy: try again later */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/audiences/{audience_id}/runs/{run_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One run: its status, days, people, and for a delta run added, removed and kept */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    /** @description audience_id of the audience */
                    audience_id: string;
                    /** @description run_id of one of its runs */
                    run_id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description A run of the audience, or a skipped slot */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @description The run */
                            run_id: string;
                            /** @description The audience it ran */
                            audience_id: string;
                            task_id: string | null;
                            /** @description The audience's version the run read */
                            version: number;
                            /**
                             * @description schedule: a slot of the schedule; manual: POST /api/v1/audiences/{audience_id}/runs
                             * @enum {string}
                             */
                            trigger: "schedule" | "manual";
                            scheduled_for: string | null;
                            /**
                             * Format: date-time
                             * @description When the run started (UTC)
                             */
                            started_at: string;
                            completed_at: string | null;
                            /**
                             * @description The task's status while it runs; skipped: a run was still going at the slot; expired: the task expired
                             * @enum {string}
                             */
                            status: "in_progress" | "counted" | "unloading" | "completed" | "failed" | "cancelled" | "skipped" | "expired";
                            days: string[] | null;
                            total_count: number | null;
                            people: number | null;
                            added: number | null;
                            removed: number | null;
                            kept: number | null;
                            split_counts: {
                                [key: string]: number;
                            } | null;
                            baseline: ("new" | "previous") | null;
                            previous_run_id: string | null;
                            previous_version: number | null;
                            /** @description Earlier slots this catch-up run stands for (every process was down) */
                            missed_slots: number;
                            reason: string | null;
                        };
                    };
                };
                /** @description The request is not valid: `detail` says what to change and `errors` names each offending field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description No valid credentials: send X-API-Key, or Authorization: Bearer <token> from POST /auth/v1/login (session_ended: that login was ended by a logout or a password change; log in again) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Refused: an API key without the `read` scope (scope_missing) */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Not found: no such resource in your organisation */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Too many requests (the per-minute rate limit, login attempts, or tasks in progress): try again after Retry-After */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Internal error: the detail never shows the cause; try again, and report it if it persists */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/audiences/{audience_id}/resync": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Make the next delta run a baseline: every member delivered as added */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    /** @description audience_id of the audience */
                    audience_id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The audience */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @description The audience */
                            audience_id: string;
                            /** @description Unique in the organisation */
                            name: string;
                            description: string | null;
                            /**
                             * @description intent or generic: the kind of task its runs are
                             * @enum {string}
                             */
                            kind: "intent" | "generic";
                            /** @description Grows with each change of the definition or window */
                            version: number;
                            /** @description null: runs only when asked (POST /api/v1/audiences/{id}/runs) */
                            schedule: {
                                /**
                                 * @description A duration: 15m, 1h, 24h, 7d
                                 * @example 24h
                                 */
                                every: string;
                            } | {
                                /**
                                 * @description Five fields: minute hour day month weekday
                                 * @example 0 6 * * *
                                 */
                                cron: string;
                                /**
                                 * @description IANA time zone; default: the audience's
                                 * @example Europe/Berlin
                                 */
                                timezone?: string;
                            } | null;
                            /** @description The schedule for people, e.g. "every day at 06:00" */
                            schedule_in_words: string;
                            /** @description true: the schedule is stopped */
                            paused: boolean;
                            /** @description How each run's export is delivered */
                            delivery: {
                                /**
                                 * @description full or delta
                                 * @enum {string}
                                 */
                                mode: "full" | "delta";
                                path: string | null;
                            };
                            next_run_at: string | null;
                            /** @description The newest run; null before the first */
                            last_run: {
                                /** @description The run */
                                run_id: string;
                                /** @description The audience it ran */
                                audience_id: string;
                                task_id: string | null;
                                /** @description The audience's version the run read */
                                version: number;
                                /**
                                 * @description schedule: a slot of the schedule; manual: POST /api/v1/audiences/{audience_id}/runs
                                 * @enum {string}
                                 */
                                trigger: "schedule" | "manual";
                                scheduled_for: string | null;
                                /**
                                 * Format: date-time
                                 * @description When the run started (UTC)
                                 */
                                started_at: string;
                                completed_at: string | null;
                                /**
                                 * @description The task's status while it runs; skipped: a run was still going at the slot; expired: the task expired
                                 * @enum {string}
                                 */
                                status: "in_progress" | "counted" | "unloading" | "completed" | "failed" | "cancelled" | "skipped" | "expired";
                                days: string[] | null;
                                total_count: number | null;
                                people: number | null;
                                added: number | null;
                                removed: number | null;
                                kept: number | null;
                                split_counts: {
                                    [key: string]: number;
                                } | null;
                                baseline: ("new" | "previous") | null;
                                previous_run_id: string | null;
                                previous_version: number | null;
                                /** @description Earlier slots this catch-up run stands for (every process was down) */
                                missed_slots: number;
                                reason: string | null;
                            } | null;
                            /** @description The completed runs among the last 30, oldest first */
                            size_history: {
                                /** @description The run */
                                run_id: string;
                                /**
                                 * Format: date-time
                                 * @description When it completed (UTC)
                                 */
                                completed_at: string;
                                total_count: number | null;
                                people: number | null;
                            }[];
                            /**
                             * Format: date-time
                             * @description When it was saved (UTC)
                             */
                            created_at: string;
                            /**
                             * Format: date-time
                             * @description When it last changed (UTC)
                             */
                            updated_at: string;
                            /** @description The task body its runs use, as saved */
                            definition: {
                                [key: string]: unknown;
                            };
                            window: {
                                /**
                                 * @description How many calendar days, ending at until
                                 * @example 7
                                 */
                                last_days: number;
                                /**
                                 * @description latest: the newest day the intent data holds; yesterday or today: in the audience's timezone, at the time of the run (its slot for a scheduled run)
                                 * @default latest
                                 * @example latest
                                 * @enum {string}
                                 */
                                until: "latest" | "yesterday" | "today";
                            } | null;
                            /** @description IANA time zone of the window and the schedule */
                            timezone: string;
                            days: string[] | null;
                        };
                    };
                };
                /** @description The request is not valid: `detail` says what to change and `errors` names each offending field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description No valid credentials: send X-API-Key, or Authorization: Bearer <token> from POST /auth/v1/login (session_ended: that login was ended by a logout or a password change; log in again) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Refused: an API key without the `write` scope (scope_missing), or a browser session without its X-CSRF-Token (csrf_failed) */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Not found: no such resource in your organisation */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Conflicts with the current state; `code` says which (a name or e-mail taken, a task or run in another status, an Idempotency-Key still in use) */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Too many requests (the per-minute rate limit, login attempts, or tasks in progress): try again after Retry-After */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Internal error: the detail never shows the cause; try again, and report it if it persists */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/overlap": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * How 2 to 10 tasks or saved audiences overlap: sizes, pairwise intersections, Venn regions
         * @description Exact counts of the distinct non-null `unique_by` values (the people) of each set, every pairwise intersection with its Jaccard index and, for 2 or 3 sets, every region of the Venn diagram. Each set is a task's whole segment (its inputs, `where_expr` and people rules such as `min_topics`), read now by the API process in one DuckDB bounded as a preview is (`PREVIEW_TIMEOUT`, a count slot's memory): past the bound it answers 422 `overlap_too_large`. Tasks must be `counted` or `completed` (409) and share one `unique_by` (400); with `audience_ids`, each audience's last completed run is compared (409 `audience_not_completed` without one). Another organisation's task or audience is a 404.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            /** @description The 2 to 10 sets to compare: tasks, or saved audiences */
            requestBody: {
                content: {
                    /**
                     * @example {
                     *       "task_ids": [
                     *         "0f8fad5b-d9cb-469f-a165-70867728950e",
                     *         "7c9e6679-7425-40de-944b-e07fc1f90ae7"
                     *       ]
                     *     }
                     */
                    "application/json": {
                        /**
                         * @description Tasks of your organisation, counted or completed (not failed or expired), each with the same unique_by: their segments are compared. Give task_ids or audience_ids, not both
                         * @example [
                         *       "0f8fad5b-d9cb-469f-a165-70867728950e",
                         *       "7c9e6679-7425-40de-944b-e07fc1f90ae7"
                         *     ]
                         */
                        task_ids?: string[];
                        /**
                         * @description Saved audiences of your organisation: each one's last completed run is compared. Give task_ids or audience_ids, not both
                         * @example [
                         *       "3b241101-e2bb-4255-8caf-4136c566a962",
                         *       "550e8400-e29b-41d4-a716-446655440000"
                         *     ]
                         */
                        audience_ids?: string[];
                    };
                };
            };
            responses: {
                /** @description How the sets overlap, counted exactly */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /**
                             * @description The column whose distinct non-null values are the members of every set
                             * @example person_id
                             */
                            unique_by: string;
                            /** @description Each set, in the order the request named them */
                            sets: {
                                /**
                                 * @description The set: A, B, C … in the order the request named them
                                 * @example A
                                 */
                                key: string;
                                /**
                                 * @description The task whose segment is the set
                                 * @example 0f8fad5b-d9cb-469f-a165-70867728950e
                                 */
                                task_id: string;
                                /**
                                 * @description The saved audience whose last completed run the task is; null when tasks were named
                                 * @example null
                                 */
                                audience_id: string | null;
                                /**
                                 * @description The task's or the audience's name, when it has one
                                 * @example Running shoes, last 7 days
                                 */
                                name: string | null;
                                /**
                                 * @description Distinct non-null unique_by values of the segment (people rules applied)
                                 * @example 12840
                                 */
                                size: number;
                            }[];
                            /**
                             * @description Members of at least one set
                             * @example 20112
                             */
                            union: number;
                            /** @description Every pair of sets (A-B, A-C, … B-C …): the pairwise matrix */
                            pairs: {
                                /**
                                 * @description The set: A, B, C … in the order the request named them
                                 * @example A
                                 */
                                a: string;
                                /**
                                 * @description The set: A, B, C … in the order the request named them
                                 * @example A
                                 */
                                b: string;
                                /**
                                 * @description Members of both sets
                                 * @example 3021
                                 */
                                intersection: number;
                                /**
                                 * @description Members of either set
                                 * @example 15607
                                 */
                                union: number;
                                /**
                                 * @description intersection / union (0 when both sets are empty)
                                 * @example 0.1936
                                 */
                                jaccard: number;
                            }[];
                            /** @description For 2 or 3 sets, every region of the Venn diagram (only A, only B, A and B not C, …, A and B and C), sizes summing to union; null for 4 or more sets (use pairs) */
                            regions: {
                                /**
                                 * @description The sets the region lies in; it lies outside every other set
                                 * @example [
                                 *       "A",
                                 *       "B"
                                 *     ]
                                 */
                                sets: string[];
                                /**
                                 * @description Members in exactly these sets
                                 * @example 2200
                                 */
                                size: number;
                            }[] | null;
                            /**
                             * @description Hash passes the members were counted in: 1, or more when the sets' input is larger than one count job's (each pass reads every set and keeps the members whose hash falls in it, so it holds a share of them); the figures are exact either way
                             * @example 1
                             */
                            passes: number;
                        };
                    };
                };
                /** @description The request is not valid: `detail` says what to change and `errors` names each offending field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description No valid credentials: send X-API-Key, or Authorization: Bearer <token> from POST /auth/v1/login (session_ended: that login was ended by a logout or a password change; log in again) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Refused: an API key without the `read` scope (scope_missing), or a browser session without its X-CSRF-Token (csrf_failed) */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Not found: no such resource in your organisation */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Conflicts with the current state; `code` says which (a name or e-mail taken, a task or run in another status, an Idempotency-Key still in use) */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description The body (or an expression in it) is too large */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description The body is not application/json */
                415: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Understood but not done: an Idempotency-Key reused with another request, or a preview that could not read the segment */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Too many requests (the per-minute rate limit, login attempts, or tasks in progress): try again after Retry-After */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Internal error: the detail never shows the cause; try again, and report it if it persists */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description A service this request needs (storage, store or queue) did not answer or is busy: try again later */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/catalog/intent": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Days, prefixes, scores, columns and totals of the intent data
         * @description Read from the tree itself: a local tree at each request, an object-store tree again once CATALOG_TTL has passed. Rows come from the Parquet footers.
         */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description What the intent data holds */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @description Days with data, ascending */
                            days: string[];
                            /** @description Topic prefixes with data, sorted */
                            prefixes: string[];
                            /** @description Scores with data: low, medium, high order */
                            scores: string[];
                            /** @description Columns of the data (DuckDB types), the partition columns day, prefix and score included */
                            columns: {
                                /** @description Column name, as where_expr, select and unique_by name it */
                                name: string;
                                /** @description DuckDB type, e.g. VARCHAR, BIGINT, TIMESTAMP */
                                type: string;
                            }[];
                            /** @description Parquet files of the tree */
                            files: number;
                            /** @description Rows of every file, from the Parquet footers */
                            rows: number;
                            /** @description Bytes of every file */
                            bytes: number;
                        };
                    };
                };
                /** @description No valid credentials: send X-API-Key, or Authorization: Bearer <token> from POST /auth/v1/login (session_ended: that login was ended by a logout or a password change; log in again) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Refused: an API key without the `read` scope (scope_missing) */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Too many requests (the per-minute rate limit, login attempts, or tasks in progress): try again after Retry-After */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Internal error: the detail never shows the cause; try again, and report it if it persists */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description A service this request needs (storage, store or queue) did not answer or is busy: try again later */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/catalog/intent/topics": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Topics by name, with their rows and people over the newest days
         * @description Finds topics by name (or id) for intent tasks: `topic_id`, `topic_name`, `prefix`, rows and distinct people over the newest `days` days. The figures come from an index built by one scan the first time a `days` value is asked for after the tree changed (the catalog notices changes as GET /api/v1/catalog/intent does), so later searches only filter it.
         */
        get: {
            parameters: {
                query?: {
                    /**
                     * @description Case-insensitive text found in the topic name or id; absent lists every topic
                     * @example cloud
                     */
                    q?: string;
                    /**
                     * @description Newest days of the tree the rows and people are counted over: 1-366, default 7; more than the tree holds means all of them
                     * @example 7
                     */
                    days?: string;
                    /**
                     * @description Most topics returned (those with the most rows): 1-1000, default 50; `total` tells how many matched
                     * @example 20
                     */
                    limit?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Topics of the intent data, by name */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /**
                             * @description Days the figures are counted over, ascending (the newest `days` days of the tree)
                             * @example [
                             *       "2024-05-01",
                             *       "2024-05-02",
                             *       "2024-05-03"
                             *     ]
                             */
                            days: string[];
                            /**
                             * @description Topics matching `q`, before `limit`
                             * @example 3
                             */
                            total: number;
                            /** @description Matching topics, most rows first (then by id), at most `limit` */
                            topics: {
                                /**
                                 * @description Topic id, as `topic_ids` of an intent task names it
                                 * @example 4eyes_101_3
                                 */
                                topic_id: string;
                                /**
                                 * @description Topic name
                                 * @example Cloud Security
                                 */
                                topic_name: string;
                                /**
                                 * @description Topic prefix (partition) the topic belongs to
                                 * @example 4eyes_101
                                 */
                                prefix: string;
                                /**
                                 * @description Rows of the topic over the days counted
                                 * @example 4210
                                 */
                                rows: number;
                                /**
                                 * @description Distinct person_id of the topic over the days counted (exact)
                                 * @example 1873
                                 */
                                people: number;
                            }[];
                        };
                    };
                };
                /** @description The request is not valid: `detail` says what to change and `errors` names each offending field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description No valid credentials: send X-API-Key, or Authorization: Bearer <token> from POST /auth/v1/login (session_ended: that login was ended by a logout or a password change; log in again) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Refused: an API key without the `read` scope (scope_missing) */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Too many requests (the per-minute rate limit, login attempts, or tasks in progress): try again after Retry-After */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Internal error: the detail never shows the cause; try again, and report it if it persists */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description A service this request needs (storage, store or queue) did not answer or is busy: try again later */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/downloads/{file_id}/{name}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Download one exported file through a link from the task detail
         * @description The link itself is the credential (no API key): use the url of a file in the task detail, or an output_links entry, before it expires.
         */
        get: {
            parameters: {
                query?: {
                    /** @description When the link stops working (Unix seconds), as signed */
                    expires?: string;
                    /** @description The signature of the link: keep it as the task detail gave it */
                    signature?: string;
                };
                header?: never;
                path: {
                    /** @description The file, as its signed link names it */
                    file_id: string;
                    /** @description File name the download is saved under */
                    name: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The file, as an attachment named by Content-Disposition: Parquet, CSV (text/csv; charset=utf-8), JSON Lines, or application/gzip for a gzipped CSV or JSON Lines file */
                200: {
                    headers: {
                        /** @description attachment; filename="<partition folders and file name joined by _>", e.g. day=2024-05-01_prefix=4eyes_101_score=high_data_0.parquet; with filename*=UTF-8''… when not ASCII */
                        "content-disposition"?: string;
                        /** @description Size of the file in bytes */
                        "content-length"?: number;
                        [name: string]: unknown;
                    };
                    content: {
                        "application/vnd.apache.parquet": string;
                        "text/csv": string;
                        "application/jsonl": string;
                        "application/gzip": string;
                    };
                };
                /** @description The request is not valid: `detail` says what to change and `errors` names each offending field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Refused: a browser session changing something without its X-CSRF-Token (csrf_failed), or a download link that is wrong or has expired (link_invalid) */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Not found: no such resource in your organisation */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Too many requests (the per-minute rate limit, login attempts, or tasks in progress): try again after Retry-After */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Internal error: the detail never shows the cause; try again, and report it if it persists */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/tasks/{task_id}/archive": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Download every file of a completed export as one ZIP
         * @description Streams a ZIP of the task's `manifest.json` and every exported file, in their partition folders, read from storage as the answer is sent. 409 until the task is `completed`.
         */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    /** @description task_id of the task, as its create answered */
                    task_id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description A ZIP of the task's export: `manifest.json` at its root, and every file at the path the manifest gives it (partition folders kept), stored as written (not compressed again). Content-Length is exact; a download cut short (a file that could not be read) is an error, never a smaller ZIP. */
                200: {
                    headers: {
                        /** @description attachment; filename="task-<task_id>.zip" */
                        "content-disposition"?: string;
                        /** @description Size of the archive in bytes, known before it is sent */
                        "content-length"?: number;
                        [name: string]: unknown;
                    };
                    content: {
                        "application/zip": string;
                    };
                };
                /** @description The request is not valid: `detail` says what to change and `errors` names each offending field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description No valid credentials: send X-API-Key, or Authorization: Bearer <token> from POST /auth/v1/login (session_ended: that login was ended by a logout or a password change; log in again) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Refused: an API key without the `read` scope (scope_missing) */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Not found: no such resource in your organisation */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Conflicts with the current state; `code` says which (a name or e-mail taken, a task or run in another status, an Idempotency-Key still in use) */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Too many requests (the per-minute rate limit, login attempts, or tasks in progress): try again after Retry-After */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Internal error: the detail never shows the cause; try again, and report it if it persists */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/webhooks": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The organisation's webhooks, oldest first (without their secrets) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The organisation's webhooks, without their secrets */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @description The webhooks, oldest first */
                            webhooks: {
                                /** @description The webhook: remove it with DELETE /api/v1/webhooks/{webhook_id} */
                                id: string;
                                /** @description The URL that receives the events */
                                url: string;
                                /** @description The events it receives */
                                events: ("task.counted" | "task.completed" | "task.failed" | "task.cancelled" | "audience.run.completed" | "audience.run.failed" | "audience.run.skipped")[];
                                /**
                                 * Format: date-time
                                 * @description When it was created (UTC)
                                 */
                                created_at: string;
                            }[];
                        };
                    };
                };
                /** @description No valid credentials: send X-API-Key, or Authorization: Bearer <token> from POST /auth/v1/login (session_ended: that login was ended by a logout or a password change; log in again) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Refused: an API key without the `admin` scope (scope_missing) */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Too many requests (the per-minute rate limit, login attempts, or tasks in progress): try again after Retry-After */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Internal error: the detail never shows the cause; try again, and report it if it persists */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        put?: never;
        /**
         * Subscribe a URL to task events; the signing secret is shown this once
         * @description Deliveries follow the Standard Webhooks specification: headers webhook-id, webhook-timestamp and webhook-signature (v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}" keyed with the base64-decoded part of the secret after whsec_). A delivery that does not get a 2xx is tried again with exponential backoff for WEBHOOK_RETRY_FOR (default 24 h), with the same webhook-id and body.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            /** @description A URL and the events it receives */
            requestBody: {
                content: {
                    /**
                     * @example {
                     *       "url": "https://hooks.example.com/audiences",
                     *       "events": [
                     *         "task.completed",
                     *         "task.failed"
                     *       ]
                     *     }
                     */
                    "application/json": {
                        /**
                         * @description https:// URL that receives the events (http:// only with WEBHOOK_ALLOW_HTTP=1); its host must resolve to public addresses only (unless WEBHOOK_ALLOW_PRIVATE=1)
                         * @example https://hooks.example.com/audiences
                         */
                        url: string;
                        /**
                         * @description Events to receive, each once: task.counted, task.completed, task.failed, task.cancelled, audience.run.completed, audience.run.failed, audience.run.skipped
                         * @example [
                         *       "task.completed",
                         *       "task.failed"
                         *     ]
                         */
                        events: ("task.counted" | "task.completed" | "task.failed" | "task.cancelled" | "audience.run.completed" | "audience.run.failed" | "audience.run.skipped")[];
                    };
                };
            };
            responses: {
                /** @description Subscribed: keep the secret, it is not shown again */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @description The webhook: remove it with DELETE /api/v1/webhooks/{webhook_id} */
                            id: string;
                            /** @description The URL that receives the events */
                            url: string;
                            /** @description The events it receives */
                            events: ("task.counted" | "task.completed" | "task.failed" | "task.cancelled" | "audience.run.completed" | "audience.run.failed" | "audience.run.skipped")[];
                            /**
                             * Format: date-time
                             * @description When it was created (UTC)
                             */
                            created_at: string;
                            /** @description whsec_ and the base64 signing key (Standard Webhooks), shown this once: verify each delivery's webhook-signature with it */
                            secret: string;
                        };
                    };
                };
                /** @description The request is not valid: `detail` says what to change and `errors` names each offending field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description No valid credentials: send X-API-Key, or Authorization: Bearer <token> from POST /auth/v1/login (session_ended: that login was ended by a logout or a password change; log in again) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Refused: an API key without the `admin` scope (scope_missing), or a browser session without its X-CSRF-Token (csrf_failed) */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Conflicts with the current state; `code` says which (a name or e-mail taken, a task or run in another status, an Idempotency-Key still in use) */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description The body (or an expression in it) is too large */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description The body is not application/json */
                415: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Too many requests (the per-minute rate limit, login attempts, or tasks in progress): try again after Retry-After */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Internal error: the detail never shows the cause; try again, and report it if it persists */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/webhooks/{webhook_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Remove a webhook; its pending deliveries are not sent */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    /** @description id of the webhook */
                    webhook_id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Removed */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description The request is not valid: `detail` says what to change and `errors` names each offending field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description No valid credentials: send X-API-Key, or Authorization: Bearer <token> from POST /auth/v1/login (session_ended: that login was ended by a logout or a password change; log in again) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Refused: an API key without the `admin` scope (scope_missing), or a browser session without its X-CSRF-Token (csrf_failed) */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Not found: no such resource in your organisation */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Too many requests (the per-minute rate limit, login attempts, or tasks in progress): try again after Retry-After */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Internal error: the detail never shows the cause; try again, and report it if it persists */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/webhooks/{webhook_id}/deliveries": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The webhook's delivery attempts, newest first */
        get: {
            parameters: {
                query?: {
                    /**
                     * @description 1-100, default 50
                     * @example 50
                     */
                    limit?: string;
                    /** @description next_cursor of the previous page */
                    cursor?: string;
                };
                header?: never;
                path: {
                    /** @description id of the webhook */
                    webhook_id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description A page of the webhook's delivery attempts */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @description Attempts, newest first */
                            deliveries: {
                                /** @description The attempt */
                                id: string;
                                /**
                                 * @description The event delivered
                                 * @enum {string}
                                 */
                                event: "task.counted" | "task.completed" | "task.failed" | "task.cancelled" | "audience.run.completed" | "audience.run.failed" | "audience.run.skipped";
                                /** @description The webhook-id header: the same for every attempt of the event */
                                event_id: string;
                                /** @description The task the event is about (a skipped audience slot: its run) */
                                task_id: string;
                                /** @description From 1 */
                                attempt: number;
                                /**
                                 * @description delivered (2xx), retrying (another attempt at next_attempt_at) or failed (given up)
                                 * @enum {string}
                                 */
                                outcome: "delivered" | "retrying" | "failed";
                                /** @description The receiver's HTTP status; null when it did not answer */
                                status_code: number | null;
                                /** @description What went wrong (a timeout, a refused address, the status); null when delivered */
                                error: string | null;
                                /**
                                 * Format: date-time
                                 * @description When the attempt was made (UTC)
                                 */
                                attempted_at: string;
                                /** @description When the next attempt is due; null unless retrying */
                                next_attempt_at: string | null;
                            }[];
                            /** @description Send it as ?cursor= for the next page; null on the last page */
                            next_cursor: string | null;
                        };
                    };
                };
                /** @description The request is not valid: `detail` says what to change and `errors` names each offending field */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description No valid credentials: send X-API-Key, or Authorization: Bearer <token> from POST /auth/v1/login (session_ended: that login was ended by a logout or a password change; log in again) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Refused: an API key without the `admin` scope (scope_missing) */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Not found: no such resource in your organisation */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Too many requests (the per-minute rate limit, login attempts, or tasks in progress): try again after Retry-After */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description Internal error: the detail never shows the cause; try again, and report it if it persists */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/metrics": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Metrics for Prometheus
         * @description For a scraper: no credentials, no rate limit. Names no task, organisation or key.
         */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Every metric in the Prometheus text exposition format (version 0.0.4): HTTP requests by route and status, tasks by status, jobs, queue depth, leases */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "text/plain": string;
                    };
                };
                /** @description Internal error: the detail never shows the cause; try again, and report it if it persists */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        /**
         * Problem
         * @description RFC 9457 problem document
         */
        "def-0": {
            /**
             * @description A URI naming the kind of problem: https://audiences.dev/problems/ and the code
             * @example https://audiences.dev/problems/validation-failed
             */
            type: string;
            /**
             * @description A short summary, the same for every problem of the code
             * @example The request is not valid
             */
            title: string;
            /**
             * @description The HTTP status of the answer
             * @example 400
             */
            status: number;
            /**
             * @description What went wrong with this request and what to change; never an internal message
             * @example days[0]: "2024-13-45" is not a date; use YYYY-MM-DD or YYYYMMDD
             */
            detail: string;
            /**
             * @description Stable error code to branch on (docs/errors.md lists every one)
             * @example validation_failed
             */
            code: string;
            /** @description With validation problems: one entry per offending field */
            errors?: {
                /** @description The offending field: a body path (days[0]), or query., params. or a header name */
                field: string;
                /** @description What is wrong with it and what to send instead */
                message: string;
            }[];
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export type operations = Record<string, never>;
