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
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            status: string;
                            checks?: {
                                [key: string]: string;
                            };
                        };
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
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            status: string;
                            checks?: {
                                [key: string]: string;
                            };
                        };
                    };
                };
                /** @description RFC 9457 problem document */
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
            requestBody: {
                content: {
                    "application/json": {
                        /** Format: email */
                        email: string;
                        /** @description At least 12 characters, not a common password */
                        password: string;
                        /** @description First name */
                        first_name: string;
                        /** @description Last name */
                        last_name: string;
                        /** @description Name of the organisation created for this user */
                        organization_name: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            user_id: string;
                            organization_id: string;
                            organization_name: string;
                            email: string;
                            first_name: string;
                            last_name: string;
                            /** Format: date-time */
                            created_at: string;
                        };
                    };
                };
                /** @description RFC 9457 problem document */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description RFC 9457 problem document */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description RFC 9457 problem document */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description RFC 9457 problem document */
                415: {
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
            requestBody: {
                content: {
                    "application/json": {
                        email: string;
                        password: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            user_id: string;
                            organization_id: string;
                            token: string;
                            /** @enum {string} */
                            token_type: "Bearer";
                            /** Format: date-time */
                            expires_at: string;
                        };
                    };
                };
                /** @description RFC 9457 problem document */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description RFC 9457 problem document */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description RFC 9457 problem document */
                429: {
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
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            clients: {
                                client_id: string;
                                name: string;
                                key_prefix: string;
                                /** Format: date-time */
                                created_at: string;
                                revoked_at: string | null;
                            }[];
                        };
                    };
                };
                /** @description RFC 9457 problem document */
                401: {
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
            requestBody: {
                content: {
                    "application/json": {
                        /** @description A name to tell the client apart */
                        name: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            client_id: string;
                            name: string;
                            /** @description Shown this once; send it as X-API-Key */
                            api_key: string;
                            /** @description Shown this once; stored only as a hash */
                            api_secret: string;
                            key_prefix: string;
                            /** Format: date-time */
                            created_at: string;
                        };
                    };
                };
                /** @description RFC 9457 problem document */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description RFC 9457 problem document */
                401: {
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
                    client_id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description RFC 9457 problem document */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description RFC 9457 problem document */
                404: {
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
        /** The browser session's user and CSRF token */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            user_id: string;
                            organization_id: string;
                            /** @description Send it as X-CSRF-Token on every request that is not a GET */
                            csrf_token: string;
                        };
                    };
                };
                /** @description RFC 9457 problem document */
                401: {
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
            requestBody: {
                content: {
                    "application/json": {
                        email: string;
                        password: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            user_id: string;
                            organization_id: string;
                            /** @description Send it as X-CSRF-Token on every request that is not a GET */
                            csrf_token: string;
                        };
                    };
                };
                /** @description RFC 9457 problem document */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description RFC 9457 problem document */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description RFC 9457 problem document */
                429: {
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
         * Log out a browser: removes the session cookie
         * @description Needs no CSRF token: it only ever removes the audiences_session cookie.
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
                /** @description Default Response */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
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
            requestBody: {
                content: {
                    "application/json": {
                        /** @description YYYY-MM-DD or YYYYMMDD */
                        days: string[];
                        topic_id_prefixes: string[];
                        /** @description low, medium, high */
                        scores: string[];
                        input_path?: string;
                        /** @description Most rows exported per job; skips counting */
                        limit?: number;
                        /**
                         * @description false: count only, export later with POST /api/v1/tasks/{id}/unload
                         * @default true
                         */
                        perform_unload?: boolean;
                        /** @description Comma-separated column names to export */
                        select?: string;
                        /** @description A SQL boolean filter, e.g. intent_score >= 80 AND country = 'US' */
                        where_expr?: string;
                        /** @description A column (e.g. person_id) whose distinct values the count also counts, exactly: unique_count over the whole segment, unique_counts per partition. Not with limit */
                        unique_by?: string;
                        /** @description Up to 3 distinct columns (e.g. country, seniority): breakdowns lists the top 50 values of each by count, then one "(other)" entry for the rest. Not with limit */
                        breakdown_by?: string[];
                        /**
                         * @description rows: the rows of the segment, by partition. people: one row per distinct non-null unique_by value (unique_by required), counted and exported whole under the one key "people". Not with limit or breakdown_by
                         * @default rows
                         */
                        output?: "rows" | "people";
                        /**
                         * @description File format of the export. CSV: header row, RFC 4180 quoting, ISO 8601 timestamps, lists and structs as JSON text. jsonl: one JSON object per line
                         * @default parquet
                         */
                        format?: "parquet" | "csv" | "jsonl";
                        /** @description Parquet: snappy, zstd, gzip or none (default: the server's EXPORT_COMPRESSION, snappy). csv and jsonl: gzip (default) or none */
                        compression?: "snappy" | "zstd" | "gzip" | "none";
                        /**
                         * @description Write the whole task as one file (output key "all") instead of one folder per partition; the task is counted first. Not with limit or max_file_bytes
                         * @default false
                         */
                        single_file?: boolean;
                        /** @description Start a new file once one reaches about this many bytes (at least 1 MiB) */
                        max_file_bytes?: number;
                        /** @description output: people only: keep people whose rows match at least this many distinct requested topic prefixes (at most the number of topic_id_prefixes) */
                        min_topics?: number;
                        /** @description output: people only: keep people seen on at least this many distinct days (at most the number of days) */
                        min_days?: number;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                202: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            task_id: string;
                            /** @enum {string} */
                            status: "in_progress" | "counted" | "unloading" | "completed" | "failed" | "cancelled";
                            total_jobs: number;
                            completed_jobs: number;
                        };
                    };
                };
                /** @description RFC 9457 problem document */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description RFC 9457 problem document */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description RFC 9457 problem document */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description RFC 9457 problem document */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description RFC 9457 problem document */
                415: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description RFC 9457 problem document */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description RFC 9457 problem document */
                429: {
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
            requestBody: {
                content: {
                    "application/json": {
                        input_path: string;
                        /** @description Most rows exported per job; skips counting */
                        limit?: number;
                        /**
                         * @description false: count only, export later with POST /api/v1/tasks/{id}/unload
                         * @default true
                         */
                        perform_unload?: boolean;
                        /** @description Comma-separated column names to export */
                        select?: string;
                        /** @description A SQL boolean filter, e.g. intent_score >= 80 AND country = 'US' */
                        where_expr?: string;
                        /** @description A column (e.g. person_id) whose distinct values the count also counts, exactly: unique_count over the whole segment, unique_counts per partition. Not with limit */
                        unique_by?: string;
                        /** @description Up to 3 distinct columns (e.g. country, seniority): breakdowns lists the top 50 values of each by count, then one "(other)" entry for the rest. Not with limit */
                        breakdown_by?: string[];
                        /**
                         * @description rows: the rows of the segment, by partition. people: one row per distinct non-null unique_by value (unique_by required), counted and exported whole under the one key "people". Not with limit or breakdown_by
                         * @default rows
                         */
                        output?: "rows" | "people";
                        /**
                         * @description File format of the export. CSV: header row, RFC 4180 quoting, ISO 8601 timestamps, lists and structs as JSON text. jsonl: one JSON object per line
                         * @default parquet
                         */
                        format?: "parquet" | "csv" | "jsonl";
                        /** @description Parquet: snappy, zstd, gzip or none (default: the server's EXPORT_COMPRESSION, snappy). csv and jsonl: gzip (default) or none */
                        compression?: "snappy" | "zstd" | "gzip" | "none";
                        /**
                         * @description Write the whole task as one file (output key "all") instead of one folder per partition; the task is counted first. Not with limit or max_file_bytes
                         * @default false
                         */
                        single_file?: boolean;
                        /** @description Start a new file once one reaches about this many bytes (at least 1 MiB) */
                        max_file_bytes?: number;
                        /** @description output: people only: a column (e.g. a timestamp) whose greatest value picks each person's row; without it, any one row of the person */
                        latest_by?: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                202: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            task_id: string;
                            /** @enum {string} */
                            status: "in_progress" | "counted" | "unloading" | "completed" | "failed" | "cancelled";
                            total_jobs: number;
                            completed_jobs: number;
                        };
                    };
                };
                /** @description RFC 9457 problem document */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description RFC 9457 problem document */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description RFC 9457 problem document */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description RFC 9457 problem document */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description RFC 9457 problem document */
                415: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description RFC 9457 problem document */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description RFC 9457 problem document */
                429: {
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
            requestBody: {
                content: {
                    "application/json": {
                        /** @description YYYY-MM-DD or YYYYMMDD */
                        days: string[];
                        topic_id_prefixes: string[];
                        /** @description low, medium, high */
                        scores: string[];
                        input_path?: string;
                        /** @description Most rows exported per job; skips counting */
                        limit?: number;
                        /**
                         * @description false: count only, export later with POST /api/v1/tasks/{id}/unload
                         * @default true
                         */
                        perform_unload?: boolean;
                        /** @description Comma-separated column names to export */
                        select?: string;
                        /** @description A SQL boolean filter, e.g. intent_score >= 80 AND country = 'US' */
                        where_expr?: string;
                        /** @description A column (e.g. person_id) whose distinct values the count also counts, exactly: unique_count over the whole segment, unique_counts per partition. Not with limit */
                        unique_by?: string;
                        /** @description Up to 3 distinct columns (e.g. country, seniority): breakdowns lists the top 50 values of each by count, then one "(other)" entry for the rest. Not with limit */
                        breakdown_by?: string[];
                        /**
                         * @description rows: the rows of the segment, by partition. people: one row per distinct non-null unique_by value (unique_by required), counted and exported whole under the one key "people". Not with limit or breakdown_by
                         * @default rows
                         */
                        output?: "rows" | "people";
                        /**
                         * @description File format of the export. CSV: header row, RFC 4180 quoting, ISO 8601 timestamps, lists and structs as JSON text. jsonl: one JSON object per line
                         * @default parquet
                         */
                        format?: "parquet" | "csv" | "jsonl";
                        /** @description Parquet: snappy, zstd, gzip or none (default: the server's EXPORT_COMPRESSION, snappy). csv and jsonl: gzip (default) or none */
                        compression?: "snappy" | "zstd" | "gzip" | "none";
                        /**
                         * @description Write the whole task as one file (output key "all") instead of one folder per partition; the task is counted first. Not with limit or max_file_bytes
                         * @default false
                         */
                        single_file?: boolean;
                        /** @description Start a new file once one reaches about this many bytes (at least 1 MiB) */
                        max_file_bytes?: number;
                        /** @description output: people only: keep people whose rows match at least this many distinct requested topic prefixes (at most the number of topic_id_prefixes) */
                        min_topics?: number;
                        /** @description output: people only: keep people seen on at least this many distinct days (at most the number of days) */
                        min_days?: number;
                    };
                };
            };
            responses: {
                /** @description Default Response */
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
                        };
                    };
                };
                /** @description RFC 9457 problem document */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description RFC 9457 problem document */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description RFC 9457 problem document */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description RFC 9457 problem document */
                415: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description RFC 9457 problem document */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description RFC 9457 problem document */
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
            requestBody: {
                content: {
                    "application/json": {
                        input_path: string;
                        /** @description Most rows exported per job; skips counting */
                        limit?: number;
                        /**
                         * @description false: count only, export later with POST /api/v1/tasks/{id}/unload
                         * @default true
                         */
                        perform_unload?: boolean;
                        /** @description Comma-separated column names to export */
                        select?: string;
                        /** @description A SQL boolean filter, e.g. intent_score >= 80 AND country = 'US' */
                        where_expr?: string;
                        /** @description A column (e.g. person_id) whose distinct values the count also counts, exactly: unique_count over the whole segment, unique_counts per partition. Not with limit */
                        unique_by?: string;
                        /** @description Up to 3 distinct columns (e.g. country, seniority): breakdowns lists the top 50 values of each by count, then one "(other)" entry for the rest. Not with limit */
                        breakdown_by?: string[];
                        /**
                         * @description rows: the rows of the segment, by partition. people: one row per distinct non-null unique_by value (unique_by required), counted and exported whole under the one key "people". Not with limit or breakdown_by
                         * @default rows
                         */
                        output?: "rows" | "people";
                        /**
                         * @description File format of the export. CSV: header row, RFC 4180 quoting, ISO 8601 timestamps, lists and structs as JSON text. jsonl: one JSON object per line
                         * @default parquet
                         */
                        format?: "parquet" | "csv" | "jsonl";
                        /** @description Parquet: snappy, zstd, gzip or none (default: the server's EXPORT_COMPRESSION, snappy). csv and jsonl: gzip (default) or none */
                        compression?: "snappy" | "zstd" | "gzip" | "none";
                        /**
                         * @description Write the whole task as one file (output key "all") instead of one folder per partition; the task is counted first. Not with limit or max_file_bytes
                         * @default false
                         */
                        single_file?: boolean;
                        /** @description Start a new file once one reaches about this many bytes (at least 1 MiB) */
                        max_file_bytes?: number;
                        /** @description output: people only: a column (e.g. a timestamp) whose greatest value picks each person's row; without it, any one row of the person */
                        latest_by?: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
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
                        };
                    };
                };
                /** @description RFC 9457 problem document */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description RFC 9457 problem document */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description RFC 9457 problem document */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description RFC 9457 problem document */
                415: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description RFC 9457 problem document */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description RFC 9457 problem document */
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
                    /** @description 1-100, default 20 */
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
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            tasks: {
                                task_id: string;
                                /** @enum {string} */
                                type: "intent_hive" | "generic_parquet";
                                /** @enum {string} */
                                status: "in_progress" | "counted" | "unloading" | "completed" | "failed" | "cancelled";
                                total_jobs: number;
                                completed_jobs: number;
                                failed_jobs: number;
                                total_count: number | null;
                                error: {
                                    code: string;
                                    message: string;
                                } | null;
                                /** @description The saved audience whose run this task is; null for a task created directly */
                                audience: {
                                    audience_id: string;
                                    run_id: string;
                                    name: string;
                                    version: number;
                                } | null;
                                /** Format: date-time */
                                created_at: string;
                                /** Format: date-time */
                                updated_at: string;
                                completed_at: string | null;
                                /** Format: date-time */
                                expires_at: string;
                            }[];
                            next_cursor: string | null;
                        };
                    };
                };
                /** @description RFC 9457 problem document */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description RFC 9457 problem document */
                401: {
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
                /** @description RFC 9457 problem document */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description RFC 9457 problem document */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description RFC 9457 problem document */
                409: {
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
                    /** @description Rows to show: 1-100, default 20 */
                    limit?: string;
                };
                header?: never;
                path: {
                    task_id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @description The columns an export of the task holds, in order: the selected ones, else the files' own (intent partition columns day, prefix, score stay in the path unless selected) */
                            columns: {
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
                /** @description RFC 9457 problem document */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description RFC 9457 problem document */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description RFC 9457 problem document */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description RFC 9457 problem document */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description RFC 9457 problem document */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description RFC 9457 problem document */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description RFC 9457 problem document */
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
                    /** @description 0-60 seconds. With If-None-Match holding the ETag of the current answer, the request waits up to this long for the task to change: 200 with the new detail as soon as it does, 304 if it did not (long polling). */
                    wait?: string;
                };
                header?: {
                    "if-none-match"?: string;
                };
                path: {
                    task_id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            task_id: string;
                            /** @enum {string} */
                            type: "intent_hive" | "generic_parquet";
                            /** @enum {string} */
                            status: "in_progress" | "counted" | "unloading" | "completed" | "failed" | "cancelled";
                            total_jobs: number;
                            completed_jobs: number;
                            failed_jobs: number;
                            total_count: number | null;
                            error: {
                                code: string;
                                message: string;
                            } | null;
                            /** @description The saved audience whose run this task is; null for a task created directly */
                            audience: {
                                audience_id: string;
                                run_id: string;
                                name: string;
                                version: number;
                            } | null;
                            /** Format: date-time */
                            created_at: string;
                            /** Format: date-time */
                            updated_at: string;
                            completed_at: string | null;
                            /** Format: date-time */
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
                            files: {
                                partition: string;
                                uri: string;
                                url: string;
                                rows: number;
                                size_bytes: number;
                                /** @description Hex SHA-256 of the file, as manifest.json lists it (null for files exported before checksums) */
                                sha256: string | null;
                            }[];
                            /** @description Signed, expiring link to the export's manifest.json (every file with its rows, bytes and sha256, the schema and the request); written, then an empty _SUCCESS, when the export completes. Null before */
                            manifest_url: string | null;
                            /** @description Distinct non-null values of unique_by over the whole segment (a value in several partitions counts once); null until counted, and without unique_by */
                            unique_count: number | null;
                            /** @description Distinct values of unique_by per partition; null until counted, and without unique_by */
                            unique_counts: {
                                [key: string]: number;
                            } | null;
                            /** @description Per breakdown_by column: its top 50 values by count (then value), and one "(other)" entry summing the rest when there are more; null until counted, and without breakdown_by */
                            breakdowns: {
                                [key: string]: {
                                    /** @description The value (null for NULL), or "(other)" for the rest */
                                    value: unknown;
                                    count: number;
                                    /** @description Distinct unique_by values (with unique_by) */
                                    unique_count?: number;
                                }[];
                            } | null;
                            /** @description A saved audience's delta run, once counted: its members, who joined (added, exported under the key "added") and who left (removed, under "removed") since previous_run_id; baseline new: every member is added. Null for other tasks */
                            delta: {
                                /** @enum {string} */
                                baseline: "new" | "previous";
                                previous_run_id: string | null;
                                members: number;
                                added: number;
                                removed: number;
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
                /** @description RFC 9457 problem document */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description RFC 9457 problem document */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description RFC 9457 problem document */
                404: {
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
                    task_id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                202: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            task_id: string;
                            /** @enum {string} */
                            status: "in_progress" | "counted" | "unloading" | "completed" | "failed" | "cancelled";
                            total_jobs: number;
                            completed_jobs: number;
                        };
                    };
                };
                /** @description RFC 9457 problem document */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description RFC 9457 problem document */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description RFC 9457 problem document */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description RFC 9457 problem document */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description RFC 9457 problem document */
                422: {
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
                    task_id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                202: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            task_id: string;
                            /** @enum {string} */
                            status: "in_progress" | "counted" | "unloading" | "completed" | "failed" | "cancelled";
                            total_jobs: number;
                            completed_jobs: number;
                        };
                    };
                };
                /** @description RFC 9457 problem document */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description RFC 9457 problem document */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description RFC 9457 problem document */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description RFC 9457 problem document */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description RFC 9457 problem document */
                422: {
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
                    task_id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                202: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            task_id: string;
                            /** @enum {string} */
                            status: "in_progress" | "counted" | "unloading" | "completed" | "failed" | "cancelled";
                            total_jobs: number;
                            completed_jobs: number;
                        };
                    };
                };
                /** @description RFC 9457 problem document */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description RFC 9457 problem document */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description RFC 9457 problem document */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description RFC 9457 problem document */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description RFC 9457 problem document */
                422: {
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
                    /** @description 1-100, default 20 */
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
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            audiences: {
                                audience_id: string;
                                name: string;
                                description: string | null;
                                /** @enum {string} */
                                kind: "intent" | "generic";
                                /** @description Grows with each change of the definition or window */
                                version: number;
                                /** @description null: runs only when asked (POST /api/v1/audiences/{id}/runs) */
                                schedule: {
                                    /** @description A duration: 15m, 1h, 24h, 7d */
                                    every: string;
                                } | {
                                    /** @description Five fields: minute hour day month weekday */
                                    cron: string;
                                    /** @description IANA time zone; default: the audience's */
                                    timezone?: string;
                                } | null;
                                schedule_in_words: string;
                                paused: boolean;
                                delivery: {
                                    /** @enum {string} */
                                    mode: "full" | "delta";
                                    path: string | null;
                                };
                                next_run_at: string | null;
                                last_run: {
                                    run_id: string;
                                    audience_id: string;
                                    task_id: string | null;
                                    /** @description The audience's version the run read */
                                    version: number;
                                    /** @enum {string} */
                                    trigger: "schedule" | "manual";
                                    scheduled_for: string | null;
                                    /** Format: date-time */
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
                                    baseline: ("new" | "previous") | null;
                                    previous_run_id: string | null;
                                    previous_version: number | null;
                                    /** @description Earlier slots this catch-up run stands for (every process was down) */
                                    missed_slots: number;
                                    reason: string | null;
                                } | null;
                                /** @description The completed runs among the last 30, oldest first */
                                size_history: {
                                    run_id: string;
                                    /** Format: date-time */
                                    completed_at: string;
                                    total_count: number | null;
                                    people: number | null;
                                }[];
                                /** Format: date-time */
                                created_at: string;
                                /** Format: date-time */
                                updated_at: string;
                            }[];
                            next_cursor: string | null;
                        };
                    };
                };
                /** @description RFC 9457 problem document */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description RFC 9457 problem document */
                401: {
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
            requestBody: {
                content: {
                    "application/json": {
                        /** @description Unique in your organisation */
                        name: string;
                        /** @enum {string} */
                        kind: "intent" | "generic";
                        description?: string | null;
                        /** @description The body of a task of the kind (intent: POST /api/v1/intent_hive_tasks, generic: POST /api/v1/generic_parquet_tasks) without perform_unload and limit; an intent audience takes a window instead of days (or fixed days) */
                        definition: {
                            [key: string]: unknown;
                        };
                        window?: {
                            /** @description How many calendar days, ending at until */
                            last_days: number;
                            /**
                             * @description latest: the newest day the intent data holds; yesterday or today: in the audience's timezone, at the time of the run (its slot for a scheduled run)
                             * @default latest
                             * @enum {string}
                             */
                            until?: "latest" | "yesterday" | "today";
                        } | null;
                        /** @description IANA time zone; default UTC */
                        timezone?: string;
                        /** @description null: runs only when asked (POST /api/v1/audiences/{id}/runs) */
                        schedule?: {
                            /** @description A duration: 15m, 1h, 24h, 7d */
                            every: string;
                        } | {
                            /** @description Five fields: minute hour day month weekday */
                            cron: string;
                            /** @description IANA time zone; default: the audience's */
                            timezone?: string;
                        } | null;
                        /** @description true stops the schedule without losing it */
                        paused?: boolean;
                        delivery?: {
                            /**
                             * @description full: every run exports the whole audience. delta (output: people and unique_by): a run exports who joined (added, their people rows) and who left (removed, their unique_by values) since the last completed run
                             * @default full
                             * @enum {string}
                             */
                            mode?: "full" | "delta";
                            /** @description Where each run's files go under your organisation's output folder, with the tokens {audience} (a slug of the name), {date} (the run's date, YYYY-MM-DD) and {run_id} (required, so drops never overwrite each other), e.g. audiences/{audience}/{date}/{run_id}. Default: the task folder */
                            path?: string;
                        };
                    };
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            audience_id: string;
                            name: string;
                            description: string | null;
                            /** @enum {string} */
                            kind: "intent" | "generic";
                            /** @description Grows with each change of the definition or window */
                            version: number;
                            /** @description null: runs only when asked (POST /api/v1/audiences/{id}/runs) */
                            schedule: {
                                /** @description A duration: 15m, 1h, 24h, 7d */
                                every: string;
                            } | {
                                /** @description Five fields: minute hour day month weekday */
                                cron: string;
                                /** @description IANA time zone; default: the audience's */
                                timezone?: string;
                            } | null;
                            schedule_in_words: string;
                            paused: boolean;
                            delivery: {
                                /** @enum {string} */
                                mode: "full" | "delta";
                                path: string | null;
                            };
                            next_run_at: string | null;
                            last_run: {
                                run_id: string;
                                audience_id: string;
                                task_id: string | null;
                                /** @description The audience's version the run read */
                                version: number;
                                /** @enum {string} */
                                trigger: "schedule" | "manual";
                                scheduled_for: string | null;
                                /** Format: date-time */
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
                                baseline: ("new" | "previous") | null;
                                previous_run_id: string | null;
                                previous_version: number | null;
                                /** @description Earlier slots this catch-up run stands for (every process was down) */
                                missed_slots: number;
                                reason: string | null;
                            } | null;
                            /** @description The completed runs among the last 30, oldest first */
                            size_history: {
                                run_id: string;
                                /** Format: date-time */
                                completed_at: string;
                                total_count: number | null;
                                people: number | null;
                            }[];
                            /** Format: date-time */
                            created_at: string;
                            /** Format: date-time */
                            updated_at: string;
                            definition: {
                                [key: string]: unknown;
                            };
                            window: {
                                /** @description How many calendar days, ending at until */
                                last_days: number;
                                /**
                                 * @description latest: the newest day the intent data holds; yesterday or today: in the audience's timezone, at the time of the run (its slot for a scheduled run)
                                 * @default latest
                                 * @enum {string}
                                 */
                                until: "latest" | "yesterday" | "today";
                            } | null;
                            timezone: string;
                            days: string[] | null;
                        };
                    };
                };
                /** @description RFC 9457 problem document */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description RFC 9457 problem document */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description RFC 9457 problem document */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description RFC 9457 problem document */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description RFC 9457 problem document */
                415: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description RFC 9457 problem document */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description RFC 9457 problem document */
                429: {
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
            requestBody: {
                content: {
                    "application/json": {
                        /** @enum {string} */
                        kind: "intent" | "generic";
                        /** @description The body of a task of the kind (intent: POST /api/v1/intent_hive_tasks, generic: POST /api/v1/generic_parquet_tasks) without perform_unload and limit; an intent audience takes a window instead of days (or fixed days) */
                        definition: {
                            [key: string]: unknown;
                        };
                        window?: {
                            /** @description How many calendar days, ending at until */
                            last_days: number;
                            /**
                             * @description latest: the newest day the intent data holds; yesterday or today: in the audience's timezone, at the time of the run (its slot for a scheduled run)
                             * @default latest
                             * @enum {string}
                             */
                            until?: "latest" | "yesterday" | "today";
                        } | null;
                        /** @description IANA time zone; default UTC */
                        timezone?: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
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
                        };
                    };
                };
                /** @description RFC 9457 problem document */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description RFC 9457 problem document */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description RFC 9457 problem document */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description RFC 9457 problem document */
                415: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description RFC 9457 problem document */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description RFC 9457 problem document */
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
                    audience_id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            audience_id: string;
                            name: string;
                            description: string | null;
                            /** @enum {string} */
                            kind: "intent" | "generic";
                            /** @description Grows with each change of the definition or window */
                            version: number;
                            /** @description null: runs only when asked (POST /api/v1/audiences/{id}/runs) */
                            schedule: {
                                /** @description A duration: 15m, 1h, 24h, 7d */
                                every: string;
                            } | {
                                /** @description Five fields: minute hour day month weekday */
                                cron: string;
                                /** @description IANA time zone; default: the audience's */
                                timezone?: string;
                            } | null;
                            schedule_in_words: string;
                            paused: boolean;
                            delivery: {
                                /** @enum {string} */
                                mode: "full" | "delta";
                                path: string | null;
                            };
                            next_run_at: string | null;
                            last_run: {
                                run_id: string;
                                audience_id: string;
                                task_id: string | null;
                                /** @description The audience's version the run read */
                                version: number;
                                /** @enum {string} */
                                trigger: "schedule" | "manual";
                                scheduled_for: string | null;
                                /** Format: date-time */
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
                                baseline: ("new" | "previous") | null;
                                previous_run_id: string | null;
                                previous_version: number | null;
                                /** @description Earlier slots this catch-up run stands for (every process was down) */
                                missed_slots: number;
                                reason: string | null;
                            } | null;
                            /** @description The completed runs among the last 30, oldest first */
                            size_history: {
                                run_id: string;
                                /** Format: date-time */
                                completed_at: string;
                                total_count: number | null;
                                people: number | null;
                            }[];
                            /** Format: date-time */
                            created_at: string;
                            /** Format: date-time */
                            updated_at: string;
                            definition: {
                                [key: string]: unknown;
                            };
                            window: {
                                /** @description How many calendar days, ending at until */
                                last_days: number;
                                /**
                                 * @description latest: the newest day the intent data holds; yesterday or today: in the audience's timezone, at the time of the run (its slot for a scheduled run)
                                 * @default latest
                                 * @enum {string}
                                 */
                                until: "latest" | "yesterday" | "today";
                            } | null;
                            timezone: string;
                            days: string[] | null;
                        };
                    };
                };
                /** @description RFC 9457 problem document */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description RFC 9457 problem document */
                404: {
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
                /** @description RFC 9457 problem document */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description RFC 9457 problem document */
                404: {
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
                    audience_id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        name?: string;
                        description?: string | null;
                        /** @description The body of a task of the kind (intent: POST /api/v1/intent_hive_tasks, generic: POST /api/v1/generic_parquet_tasks) without perform_unload and limit; an intent audience takes a window instead of days (or fixed days) */
                        definition?: {
                            [key: string]: unknown;
                        };
                        window?: {
                            /** @description How many calendar days, ending at until */
                            last_days: number;
                            /**
                             * @description latest: the newest day the intent data holds; yesterday or today: in the audience's timezone, at the time of the run (its slot for a scheduled run)
                             * @default latest
                             * @enum {string}
                             */
                            until?: "latest" | "yesterday" | "today";
                        } | null;
                        /** @description IANA time zone; default UTC */
                        timezone?: string;
                        /** @description null: runs only when asked (POST /api/v1/audiences/{id}/runs) */
                        schedule?: {
                            /** @description A duration: 15m, 1h, 24h, 7d */
                            every: string;
                        } | {
                            /** @description Five fields: minute hour day month weekday */
                            cron: string;
                            /** @description IANA time zone; default: the audience's */
                            timezone?: string;
                        } | null;
                        /** @description true stops the schedule without losing it */
                        paused?: boolean;
                        delivery?: {
                            /**
                             * @description full: every run exports the whole audience. delta (output: people and unique_by): a run exports who joined (added, their people rows) and who left (removed, their unique_by values) since the last completed run
                             * @default full
                             * @enum {string}
                             */
                            mode?: "full" | "delta";
                            /** @description Where each run's files go under your organisation's output folder, with the tokens {audience} (a slug of the name), {date} (the run's date, YYYY-MM-DD) and {run_id} (required, so drops never overwrite each other), e.g. audiences/{audience}/{date}/{run_id}. Default: the task folder */
                            path?: string;
                        };
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            audience_id: string;
                            name: string;
                            description: string | null;
                            /** @enum {string} */
                            kind: "intent" | "generic";
                            /** @description Grows with each change of the definition or window */
                            version: number;
                            /** @description null: runs only when asked (POST /api/v1/audiences/{id}/runs) */
                            schedule: {
                                /** @description A duration: 15m, 1h, 24h, 7d */
                                every: string;
                            } | {
                                /** @description Five fields: minute hour day month weekday */
                                cron: string;
                                /** @description IANA time zone; default: the audience's */
                                timezone?: string;
                            } | null;
                            schedule_in_words: string;
                            paused: boolean;
                            delivery: {
                                /** @enum {string} */
                                mode: "full" | "delta";
                                path: string | null;
                            };
                            next_run_at: string | null;
                            last_run: {
                                run_id: string;
                                audience_id: string;
                                task_id: string | null;
                                /** @description The audience's version the run read */
                                version: number;
                                /** @enum {string} */
                                trigger: "schedule" | "manual";
                                scheduled_for: string | null;
                                /** Format: date-time */
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
                                baseline: ("new" | "previous") | null;
                                previous_run_id: string | null;
                                previous_version: number | null;
                                /** @description Earlier slots this catch-up run stands for (every process was down) */
                                missed_slots: number;
                                reason: string | null;
                            } | null;
                            /** @description The completed runs among the last 30, oldest first */
                            size_history: {
                                run_id: string;
                                /** Format: date-time */
                                completed_at: string;
                                total_count: number | null;
                                people: number | null;
                            }[];
                            /** Format: date-time */
                            created_at: string;
                            /** Format: date-time */
                            updated_at: string;
                            definition: {
                                [key: string]: unknown;
                            };
                            window: {
                                /** @description How many calendar days, ending at until */
                                last_days: number;
                                /**
                                 * @description latest: the newest day the intent data holds; yesterday or today: in the audience's timezone, at the time of the run (its slot for a scheduled run)
                                 * @default latest
                                 * @enum {string}
                                 */
                                until: "latest" | "yesterday" | "today";
                            } | null;
                            timezone: string;
                            days: string[] | null;
                        };
                    };
                };
                /** @description RFC 9457 problem document */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description RFC 9457 problem document */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description RFC 9457 problem document */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description RFC 9457 problem document */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description RFC 9457 problem document */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description RFC 9457 problem document */
                415: {
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
                    /** @description 1-100, default 20 */
                    limit?: string;
                    /** @description next_cursor of the previous page */
                    cursor?: string;
                };
                header?: never;
                path: {
                    audience_id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            runs: {
                                run_id: string;
                                audience_id: string;
                                task_id: string | null;
                                /** @description The audience's version the run read */
                                version: number;
                                /** @enum {string} */
                                trigger: "schedule" | "manual";
                                scheduled_for: string | null;
                                /** Format: date-time */
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
                /** @description RFC 9457 problem document */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description RFC 9457 problem document */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description RFC 9457 problem document */
                404: {
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
                    audience_id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                202: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            run_id: string;
                            task_id: string;
                            audience_id: string;
                            days: string[] | null;
                            baseline: ("new" | "previous") | null;
                            previous_run_id: string | null;
                        };
                    };
                };
                /** @description RFC 9457 problem document */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description RFC 9457 problem document */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description RFC 9457 problem document */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description RFC 9457 problem document */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description RFC 9457 problem document */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description RFC 9457 problem document */
                429: {
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
                    audience_id: string;
                    run_id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            run_id: string;
                            audience_id: string;
                            task_id: string | null;
                            /** @description The audience's version the run read */
                            version: number;
                            /** @enum {string} */
                            trigger: "schedule" | "manual";
                            scheduled_for: string | null;
                            /** Format: date-time */
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
                            baseline: ("new" | "previous") | null;
                            previous_run_id: string | null;
                            previous_version: number | null;
                            /** @description Earlier slots this catch-up run stands for (every process was down) */
                            missed_slots: number;
                            reason: string | null;
                        };
                    };
                };
                /** @description RFC 9457 problem document */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description RFC 9457 problem document */
                404: {
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
                    audience_id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            audience_id: string;
                            name: string;
                            description: string | null;
                            /** @enum {string} */
                            kind: "intent" | "generic";
                            /** @description Grows with each change of the definition or window */
                            version: number;
                            /** @description null: runs only when asked (POST /api/v1/audiences/{id}/runs) */
                            schedule: {
                                /** @description A duration: 15m, 1h, 24h, 7d */
                                every: string;
                            } | {
                                /** @description Five fields: minute hour day month weekday */
                                cron: string;
                                /** @description IANA time zone; default: the audience's */
                                timezone?: string;
                            } | null;
                            schedule_in_words: string;
                            paused: boolean;
                            delivery: {
                                /** @enum {string} */
                                mode: "full" | "delta";
                                path: string | null;
                            };
                            next_run_at: string | null;
                            last_run: {
                                run_id: string;
                                audience_id: string;
                                task_id: string | null;
                                /** @description The audience's version the run read */
                                version: number;
                                /** @enum {string} */
                                trigger: "schedule" | "manual";
                                scheduled_for: string | null;
                                /** Format: date-time */
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
                                baseline: ("new" | "previous") | null;
                                previous_run_id: string | null;
                                previous_version: number | null;
                                /** @description Earlier slots this catch-up run stands for (every process was down) */
                                missed_slots: number;
                                reason: string | null;
                            } | null;
                            /** @description The completed runs among the last 30, oldest first */
                            size_history: {
                                run_id: string;
                                /** Format: date-time */
                                completed_at: string;
                                total_count: number | null;
                                people: number | null;
                            }[];
                            /** Format: date-time */
                            created_at: string;
                            /** Format: date-time */
                            updated_at: string;
                            definition: {
                                [key: string]: unknown;
                            };
                            window: {
                                /** @description How many calendar days, ending at until */
                                last_days: number;
                                /**
                                 * @description latest: the newest day the intent data holds; yesterday or today: in the audience's timezone, at the time of the run (its slot for a scheduled run)
                                 * @default latest
                                 * @enum {string}
                                 */
                                until: "latest" | "yesterday" | "today";
                            } | null;
                            timezone: string;
                            days: string[] | null;
                        };
                    };
                };
                /** @description RFC 9457 problem document */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description RFC 9457 problem document */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description RFC 9457 problem document */
                409: {
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
                /** @description Default Response */
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
                                name: string;
                                type: string;
                            }[];
                            files: number;
                            /** @description Rows of every file, from the Parquet footers */
                            rows: number;
                            bytes: number;
                        };
                    };
                };
                /** @description RFC 9457 problem document */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description RFC 9457 problem document */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description RFC 9457 problem document */
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
        /** Download one exported file through a link from the task detail */
        get: {
            parameters: {
                query?: {
                    expires?: string;
                    signature?: string;
                };
                header?: never;
                path: {
                    file_id: string;
                    name: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description RFC 9457 problem document */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description RFC 9457 problem document */
                404: {
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
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            webhooks: {
                                id: string;
                                url: string;
                                events: ("task.counted" | "task.completed" | "task.failed" | "task.cancelled" | "audience.run.completed" | "audience.run.failed" | "audience.run.skipped")[];
                                /** Format: date-time */
                                created_at: string;
                            }[];
                        };
                    };
                };
                /** @description RFC 9457 problem document */
                401: {
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
            requestBody: {
                content: {
                    "application/json": {
                        /** @description https:// URL that receives the events (http:// only with WEBHOOK_ALLOW_HTTP=1); its host must resolve to public addresses only (unless WEBHOOK_ALLOW_PRIVATE=1) */
                        url: string;
                        /** @description Events to receive, each once: task.counted, task.completed, task.failed, task.cancelled, audience.run.completed, audience.run.failed, audience.run.skipped */
                        events: ("task.counted" | "task.completed" | "task.failed" | "task.cancelled" | "audience.run.completed" | "audience.run.failed" | "audience.run.skipped")[];
                    };
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            id: string;
                            url: string;
                            events: ("task.counted" | "task.completed" | "task.failed" | "task.cancelled" | "audience.run.completed" | "audience.run.failed" | "audience.run.skipped")[];
                            /** Format: date-time */
                            created_at: string;
                            /** @description whsec_ and the base64 signing key (Standard Webhooks), shown this once: verify each delivery's webhook-signature with it */
                            secret: string;
                        };
                    };
                };
                /** @description RFC 9457 problem document */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description RFC 9457 problem document */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description RFC 9457 problem document */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description RFC 9457 problem document */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description RFC 9457 problem document */
                415: {
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
                    webhook_id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description RFC 9457 problem document */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description RFC 9457 problem document */
                404: {
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
                    /** @description 1-100, default 50 */
                    limit?: string;
                    /** @description next_cursor of the previous page */
                    cursor?: string;
                };
                header?: never;
                path: {
                    webhook_id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
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
                                /** @enum {string} */
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
                                error: string | null;
                                /** Format: date-time */
                                attempted_at: string;
                                next_attempt_at: string | null;
                            }[];
                            next_cursor: string | null;
                        };
                    };
                };
                /** @description RFC 9457 problem document */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description RFC 9457 problem document */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["def-0"];
                    };
                };
                /** @description RFC 9457 problem document */
                404: {
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
            type: string;
            title: string;
            status: number;
            detail: string;
            code: string;
            errors?: {
                field: string;
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
