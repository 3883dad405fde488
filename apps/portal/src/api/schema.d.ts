// Generated from apps/portal/openapi.json by apps/portal/scripts/generate-client.mjs. Do not edit.
export interface paths {
    "/healthz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["Health_health"];
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
        get: operations["Metrics_scrape"];
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
        get: operations["Health_ready"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/api-keys": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["ApiKeys_list"];
        put?: never;
        post: operations["ApiKeys_create"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/api-keys/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["ApiKeys_get"];
        put?: never;
        post?: never;
        delete: operations["ApiKeys_revoke"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/audit/checkpoints": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["Audit_checkpoints"];
        put?: never;
        post: operations["Audit_requestCheckpoint"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/audit/events": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["Audit_events"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/audit/events/{sourceId}/{seq}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["Audit_event"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/audit/export": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["Audit_exportNow"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/audit/exports": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["AuditExports_listExports"];
        put?: never;
        post: operations["AuditExports_requestExport"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/audit/exports/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["AuditExports_getExport"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/audit/exports/{id}/download": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["AuditExports_downloadExport"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/audit/exports/{id}/download-link": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: operations["AuditExports_downloadLink"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/audit/exports/{id}/file": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["AuditExports_downloadByLink"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/audit/proofs/consistency": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["Audit_consistency"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/audit/verifications": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: operations["AuditVerifications_requestVerification"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/audit/verifications/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["AuditVerifications_verification"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/audit/verify": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["Audit_verify"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/login": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: operations["Auth_login"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/logout": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: operations["Auth_logout"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/me": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["Auth_me"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/password": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: operations["Auth_changePassword"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/refresh": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: operations["Auth_refresh"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/switch-tenant": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: operations["Auth_switchTenant"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/enrollment-tokens": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["EnrollmentTokens_list"];
        put?: never;
        post: operations["EnrollmentTokens_create"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/enrollment-tokens/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["EnrollmentTokens_get"];
        put?: never;
        post?: never;
        delete: operations["EnrollmentTokens_revoke"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/jobs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["Jobs_list"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/jobs/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["Jobs_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/jobs/{id}/retry": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: operations["Jobs_retry"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/jobs/expire-enrollment-tokens": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: operations["Jobs_expireEnrollmentTokens"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/models": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["Models_list"];
        put?: never;
        post: operations["Models_create"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/models/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["Models_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/models/{id}/versions/{version}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["Models_version"];
        put: operations["Models_save"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/models/{id}/versions/{version}/artifact": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put: operations["Models_upload"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/models/{id}/versions/{version}/publish": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: operations["Models_publish"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/nodes": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["Nodes_list"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/nodes/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["Nodes_get"];
        put?: never;
        post?: never;
        delete: operations["Nodes_remove"];
        options?: never;
        head?: never;
        patch: operations["Nodes_update"];
        trace?: never;
    };
    "/v1/nodes/{id}/revoke": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: operations["Nodes_revoke"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/organizations": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["Organizations_list"];
        put?: never;
        post: operations["Organizations_create"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/organizations/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["Organizations_get"];
        put?: never;
        post?: never;
        delete: operations["Organizations_remove"];
        options?: never;
        head?: never;
        patch: operations["Organizations_update"];
        trace?: never;
    };
    "/v1/policies": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["Policies_heads"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/policies/{scope}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put: operations["Policies_save"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/policies/{scope}/diff": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["Policies_diff"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/policies/{scope}/versions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["Policies_versions"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/policies/{scope}/versions/{version}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["Policies_version"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/policies/publish": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: operations["Policies_publish"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/policies/simulate": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: operations["Policies_simulate"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/rollouts": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["Rollouts_list"];
        put?: never;
        post: operations["Rollouts_create"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/rollouts/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["Rollouts_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/rollouts/{id}/abort": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: operations["Rollouts_abort"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/rollouts/{id}/nodes": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["Rollouts_nodes"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/rollouts/{id}/pause": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: operations["Rollouts_pause"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/rollouts/{id}/resume": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: operations["Rollouts_resume"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/rollouts/{id}/rollback": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: operations["Rollouts_rollback"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/signing-keys": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["SigningKeys_list"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/signing-keys/rotate": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: operations["SigningKeys_rotate"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/sites": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["Sites_list"];
        put?: never;
        post: operations["Sites_create"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/sites/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["Sites_get"];
        put?: never;
        post?: never;
        delete: operations["Sites_remove"];
        options?: never;
        head?: never;
        patch: operations["Sites_update"];
        trace?: never;
    };
    "/v1/sites/{id}/consent": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["SiteGovernance_getConsent"];
        put: operations["SiteGovernance_setConsent"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/sites/{id}/policy-status": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["SiteGovernance_policyStatus"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/tenants": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["Tenants_list"];
        put?: never;
        post: operations["Tenants_create"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/tenants/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["Tenants_get"];
        put?: never;
        post?: never;
        delete: operations["Tenants_remove"];
        options?: never;
        head?: never;
        patch: operations["Tenants_update"];
        trace?: never;
    };
    "/v1/users": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["Users_list"];
        put?: never;
        post: operations["Users_create"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/users/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["Users_get"];
        put?: never;
        post?: never;
        delete: operations["Users_remove"];
        options?: never;
        head?: never;
        patch: operations["Users_update"];
        trace?: never;
    };
    "/v1/users/{id}/password": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: operations["Users_resetPassword"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/users/memberships": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: operations["Users_addMember"];
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
        AbortRolloutDto: {
            /** @example wrong thresholds for line B */
            reason?: string;
            /**
             * @description Also send the nodes the rollout reached back to their previous version
             * @default false
             */
            rollback: boolean;
        };
        AddMemberDto: {
            /** @description E-mail of an existing account (from another tenant) */
            email: string;
            integratorOrgId?: string;
            role: components["schemas"]["Role"];
        };
        AgentEndpointView: {
            /**
             * @description host:port agents connect to (MERIDIAN_CONTROL_PLANE)
             * @example agents.meridian.example.com:443
             */
            address: string;
            /** @description Whether the endpoint speaks TLS: the agent then needs MERIDIAN_TLS_CA_FILE, the CA that signed its certificate */
            tls: boolean;
        };
        ApiKeyPage: {
            items: components["schemas"]["ApiKeyView"][];
            nextCursor: string | null;
        };
        ApiKeyView: {
            /** Format: date-time */
            createdAt: string;
            /** Format: date-time */
            expiresAt: string | null;
            id: string;
            integratorOrgId: string | null;
            /** Format: date-time */
            lastUsedAt: string | null;
            name: string;
            /** @description First characters of the key, to tell keys apart */
            prefix: string;
            /** Format: date-time */
            revokedAt: string | null;
            role: components["schemas"]["Role"];
        };
        ArtifactView: {
            /** @example e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 */
            sha256: string;
            /** @description Bytes */
            size: number;
        };
        AuditChainView: {
            /** @description Last sequence number of the node journal stored and acknowledged */
            acknowledgedSeq: number;
            /**
             * Format: date-time
             * @description When an upload broke the chain; uploads are refused from then on
             */
            brokenAt: string | null;
            brokenReason: string | null;
        };
        AuditEventDetailView: {
            actor: string;
            /** @description What the tenant calls that person, node or API key now; null for system actors and ones it no longer knows. Not part of the record: `actor` is what the log proves */
            actorName: string | null;
            category: string | null;
            /** @description The record hash recomputed from the stored content matches */
            chainIntact: boolean;
            decision: string | null;
            event: {
                [key: string]: unknown;
            };
            hash: string;
            inclusion?: components["schemas"]["InclusionProofView"] | null;
            /** @description Position in the tenant log, once checkpointed */
            logIndex: number | null;
            /** Format: date-time */
            occurredAt: string;
            prevHash: string;
            /** Format: date-time */
            receivedAt: string;
            seq: number;
            siteId: string | null;
            sourceId: string;
            type: string;
        };
        AuditEventPage: {
            items: components["schemas"]["AuditEventView"][];
            nextCursor: string | null;
        };
        AuditEventView: {
            actor: string;
            /** @description What the tenant calls that person, node or API key now; null for system actors and ones it no longer knows. Not part of the record: `actor` is what the log proves */
            actorName: string | null;
            category: string | null;
            decision: string | null;
            event: {
                [key: string]: unknown;
            };
            hash: string;
            /** @description Position in the tenant log, once checkpointed */
            logIndex: number | null;
            /** Format: date-time */
            occurredAt: string;
            prevHash: string;
            /** Format: date-time */
            receivedAt: string;
            seq: number;
            siteId: string | null;
            sourceId: string;
            type: string;
        };
        AuditExportCountsView: {
            checkpoints: number;
            events: number;
            signingKeys: number;
            sources: number;
        };
        AuditExportDownloadLink: {
            /** Format: date-time */
            expiresAt: string;
            /** @description GET it without an Authorization header, once, before expiresAt: the bundle file, as GET /v1/audit/exports/:id/download gives it */
            url: string;
        };
        AuditExportEndView: {
            counts: components["schemas"]["AuditExportCountsView"];
            /** @description sha256 (hex) of every byte of the file before the end line */
            sha256: string;
        };
        AuditExportLineView: {
            checkpoint?: components["schemas"]["CheckpointView"];
            /** @description Last line: counts and the digest of everything before it (a file without it was cut short) */
            end?: components["schemas"]["AuditExportEndView"];
            event?: components["schemas"]["ExportedEventView"];
            /** @description Header */
            exportedAt?: string;
            /**
             * @description Header (first line), with tenantId, exportedAt, requestedBy and treeSize
             * @enum {string}
             */
            format?: "meridian.audit-export.v3";
            /** @description Header */
            requestedBy?: string | null;
            signingKey?: components["schemas"]["ExportSigningKeyView"];
            /** @description Header */
            tenantId?: string;
            /** @description Header: events in the bundle, the newest checkpoint's tree size */
            treeSize?: number;
        };
        AuditExportList: {
            items: components["schemas"]["AuditExportView"][];
        };
        AuditExportView: {
            /** Format: date-time */
            completedAt: string | null;
            /** Format: date-time */
            createdAt: string;
            /** @description Where to download the bundle once completed: meridian-audit-<id>.jsonl.gz (meridian.audit-export.v3, gzip-compressed JSON Lines) */
            downloadUrl: string | null;
            /** @description Why the export failed */
            error: string | null;
            eventCount: number | null;
            id: string;
            /** @description Percent done, 0–100 */
            progress: number;
            /** @example user:… */
            requestedBy: string;
            /** @description sha256 (hex) of the uncompressed bundle: the .jsonl.gz download after gunzip (a v2 .json export from before: the file as downloaded); also in X-Content-SHA256 */
            sha256: string | null;
            /** @description Size of the uncompressed bundle in bytes (the download is gzip-compressed, so smaller) */
            sizeBytes: number | null;
            /** @enum {string} */
            status: "queued" | "running" | "completed" | "failed";
            /** @description Size of the log the bundle covers (its newest checkpoint) */
            treeSize: number | null;
        };
        BatchView: {
            batch: number;
            counts: components["schemas"]["StateCountsView"];
            nodes: number;
            /** @description Whether the batch has started */
            started: boolean;
        };
        ChangePasswordDto: {
            /** @description The password the account has now */
            currentPassword: string;
            /** @description At least 12 characters, and not the current one */
            newPassword: string;
        };
        CheckpointList: {
            items: components["schemas"]["CheckpointView"][];
        };
        CheckpointView: {
            keyId: string;
            logId: string;
            rootHash: string;
            signature: string;
            timestamp: string;
            treeSize: number;
        };
        ConsentDto: {
            /**
             * @example {
             *       "vendor_remote_diagnostics": true
             *     }
             */
            flags: {
                [key: string]: boolean;
            };
        };
        ConsentView: {
            flags: {
                [key: string]: boolean;
            };
            /** @description Compilation job started by the change */
            jobId?: string;
            siteId: string;
            /** Format: date-time */
            updatedAt: string | null;
            updatedBy: string | null;
        };
        ConsistencyProofView: {
            from: number;
            proof: string[];
            to: number;
            verified: boolean;
        };
        CreateApiKeyDto: {
            /** @description ISO 8601; no expiry when omitted */
            expiresAt?: string;
            /** @description Required for integrator roles: the organisation whose sites the key may see */
            integratorOrgId?: string;
            /** @example ci-pipeline */
            name: string;
            role: components["schemas"]["Role"];
        };
        CreatedApiKeyView: {
            /** Format: date-time */
            createdAt: string;
            /** Format: date-time */
            expiresAt: string | null;
            id: string;
            integratorOrgId: string | null;
            /** @description The key itself. Shown once; only its hash is stored. */
            key: string;
            /** Format: date-time */
            lastUsedAt: string | null;
            name: string;
            /** @description First characters of the key, to tell keys apart */
            prefix: string;
            /** Format: date-time */
            revokedAt: string | null;
            role: components["schemas"]["Role"];
        };
        CreatedEnrollmentTokenView: {
            /** @description Where the enrolling agent connects (AGENT_PUBLIC_ENDPOINT of the control plane) */
            agentEndpoint: components["schemas"]["AgentEndpointView"];
            /** Format: date-time */
            createdAt: string;
            /** Format: date-time */
            expiresAt: string;
            id: string;
            siteId: string;
            status: components["schemas"]["EnrollmentTokenStatus"];
            /** @description Give this to the agent (MERIDIAN_ENROLLMENT_TOKEN). Shown once; only its hash is stored. */
            token: string;
            /** Format: date-time */
            usedAt: string | null;
            usedByNodeId: string | null;
        };
        CreateEnrollmentTokenDto: {
            /** @description Site the enrolling node will belong to */
            siteId: string;
            /**
             * @description Lifetime in seconds (5 minutes to 7 days)
             * @default 86400
             */
            ttlSeconds: number;
        };
        CreateModelDto: {
            /** @example Scores vibration windows of the cooling pumps */
            description?: string;
            /**
             * @description Unique in the tenant: letters, digits, dots, dashes, underscores
             * @example pump-anomaly
             */
            name: string;
        };
        CreateOrganizationDto: {
            /** @example Nusantara Integrasi */
            name: string;
        };
        CreateRolloutDto: {
            /** @description Model to roll out */
            modelId: string;
            /**
             * @description Which nodes: countries, siteIds, labels (all given criteria must match; any entry of a list). Empty: every node of the tenant.
             * @example {
             *       "countries": [
             *         "ID",
             *         "CL"
             *       ],
             *       "labels": {
             *         "line": "a"
             *       }
             *     }
             */
            selector?: {
                [key: string]: unknown;
            };
            /**
             * @description Canary (count or percent), batch size, pause between batches, batch time-out and health gate
             * @example {
             *       "canary": {
             *         "count": 1
             *       },
             *       "batchSize": 50,
             *       "pauseSeconds": 60,
             *       "batchTimeoutSeconds": 600,
             *       "gate": {
             *         "minActivationRatio": 1,
             *         "maxErrorRate": 0.05,
             *         "minRequests": 1,
             *         "observeSeconds": 30
             *       }
             *     }
             */
            strategy?: {
                [key: string]: unknown;
            };
            /**
             * @description A published version of the model
             * @example 1.2.0
             */
            version: string;
        };
        CreateSiteDto: {
            /**
             * @description ISO 3166-1 alpha-2
             * @example ID
             */
            country: string;
            /** @description Integrator organisation operating this site */
            integratorOrgId?: string;
            /** @example Cikarang Plant */
            name: string;
            /** @example West Java */
            region?: string;
        };
        CreateTenantDto: {
            /** @example Acme Robotics */
            name: string;
            /**
             * @description URL-safe identifier, unique across the platform
             * @example acme-robotics
             */
            slug: string;
        };
        CreateUserDto: {
            /** @example Operator One */
            displayName: string;
            /** @example operator@plant.example */
            email: string;
            /** @description Required for integrator roles */
            integratorOrgId?: string;
            /** @description Initial password, at least 12 characters */
            password: string;
            role: components["schemas"]["Role"];
        };
        DecisionView: {
            /** @enum {string} */
            decision: "allow" | "deny" | "allow_with_redaction";
            /**
             * @description default, base, overlay:<CC> or consent
             * @example overlay:CL
             */
            layer: string;
            provenance: string;
            reason: string;
            redaction?: {
                drop?: string[];
                hash?: string[];
            };
            ruleId: string;
        };
        DiffEntryView: {
            /** @enum {string} */
            change: "added" | "removed" | "changed";
            from?: Record<string, never>;
            /** @example categories.inspection_images.egress.allow */
            path: string;
            to?: Record<string, never>;
        };
        DiffView: {
            changes: components["schemas"]["DiffEntryView"][];
            from: number;
            scope: string;
            to: number;
        };
        EnrollmentTokenPage: {
            items: components["schemas"]["EnrollmentTokenView"][];
            nextCursor: string | null;
        };
        /** @enum {string} */
        EnrollmentTokenStatus: "active" | "used" | "expired" | "revoked";
        EnrollmentTokenView: {
            /** Format: date-time */
            createdAt: string;
            /** Format: date-time */
            expiresAt: string;
            id: string;
            siteId: string;
            status: components["schemas"]["EnrollmentTokenStatus"];
            /** Format: date-time */
            usedAt: string | null;
            usedByNodeId: string | null;
        };
        ExportedEventView: {
            /** @description Canonical JSON of the event, exactly as hashed */
            body: string;
            hash: string;
            logIndex: number;
            prevHash: string;
            seq: number;
            sourceId: string;
        };
        ExportSigningKeyView: {
            keyId: string;
            /** @description Raw Ed25519 public key, base64 */
            publicKey: string;
        };
        GateResultView: {
            activationRatio: number;
            batch: number;
            errorRate: number | null;
            errors: number;
            evaluatedAt: string;
            passed: boolean;
            reasons: string[];
            requests: number;
        };
        InclusionProofView: {
            checkpoint: components["schemas"]["CheckpointView"];
            /** @description hex of the leaf hash (RFC 9162: SHA-256(0x00 || sourceId \n seq \n hash)) */
            leafHash: string;
            leafIndex: number;
            path: string[];
            treeSize: number;
            verified: boolean;
        };
        JobList: {
            items: components["schemas"]["JobView"][];
        };
        JobProgressView: {
            /** @description Rows done in this stage */
            done?: number;
            percent: number;
            /** @description What the job is doing now, for jobs that work in stages (a verification: chains, then tree) */
            stage?: string;
            /** @description Rows this stage has to do */
            total?: number;
        };
        JobView: {
            attemptsMade: number;
            /** Format: date-time */
            createdAt: string;
            failedReason?: string | null;
            /** Format: date-time */
            finishedAt?: string | null;
            id: string;
            maxAttempts: number;
            name: string;
            /** Format: date-time */
            processedAt?: string | null;
            /** @description How far the job has come as it last said (exports, verifications report it; other jobs stay at percent 0) */
            progress?: components["schemas"]["JobProgressView"] | null;
            queue: string;
            result?: {
                [key: string]: unknown;
            } | null;
            /** @enum {string} */
            state: "waiting" | "active" | "completed" | "failed" | "delayed" | "prioritized" | "waiting-children" | "unknown";
        };
        LoginDto: {
            /** @example vendor.admin@demo-vendor.example */
            email: string;
            /** @example meridian-demo */
            password: string;
            /** @description Tenant to act in; defaults to the first membership */
            tenantId?: string;
        };
        MembershipView: {
            integratorOrgId: string | null;
            role: components["schemas"]["Role"];
            tenantId: string;
            tenantName: string;
            tenantSlug: string;
        };
        MeView: {
            displayName?: string;
            email?: string;
            integratorOrgId: string | null;
            /** @enum {string} */
            kind: "user" | "api_key";
            memberships: components["schemas"]["MembershipView"][];
            role: components["schemas"]["Role"];
            subjectId: string;
            tenantId: string;
        };
        ModelDetailView: {
            /** Format: date-time */
            createdAt: string;
            description: string | null;
            id: string;
            /** @description Highest published version (semver order) */
            latestPublished: string | null;
            name: string;
            /** @description Newest first (semver order) */
            versions: components["schemas"]["ModelVersionView"][];
        };
        ModelList: {
            items: components["schemas"]["ModelView"][];
        };
        ModelVersionView: {
            artifact: components["schemas"]["ArtifactView"] | null;
            card: {
                [key: string]: unknown;
            };
            /** Format: date-time */
            createdAt: string;
            id: string;
            /** @description Signing key of the manifest, once published */
            keyId: string | null;
            /** @description sha256 of the signed manifest, once published */
            manifestDigest: string | null;
            modelId: string;
            /** Format: date-time */
            publishedAt: string | null;
            publishedBy: string | null;
            /** @enum {string} */
            status: "draft" | "published";
            /** @example 1.2.0 */
            version: string;
        };
        ModelView: {
            /** Format: date-time */
            createdAt: string;
            description: string | null;
            id: string;
            /** @description Highest published version (semver order) */
            latestPublished: string | null;
            name: string;
        };
        NodePage: {
            items: components["schemas"]["NodeView"][];
            nextCursor: string | null;
        };
        NodePolicyStatusView: {
            /** Format: date-time */
            appliedAt: string | null;
            appliedVersion: number | null;
            /** @description Runs the site’s latest bundle */
            compliant: boolean;
            error: string | null;
            name: string;
            nodeId: string;
        };
        /** @enum {string} */
        NodeStatus: "pending" | "online" | "stale" | "offline" | "revoked";
        NodeView: {
            agentVersion: string | null;
            /** @description The node audit chain as stored by the control plane; null before its first upload */
            auditChain: components["schemas"]["AuditChainView"] | null;
            /** Format: date-time */
            createdAt: string;
            /** Format: date-time */
            enrolledAt: string | null;
            id: string;
            labels: {
                [key: string]: string;
            };
            /** Format: date-time */
            lastSeenAt: string | null;
            name: string;
            /** @description What the agent reported in its last heartbeat */
            reported: components["schemas"]["ReportedStateView"];
            /** Format: date-time */
            revokedAt: string | null;
            siteId: string;
            /** @description online / stale / offline derived from the last heartbeat */
            status: components["schemas"]["NodeStatus"];
            /** Format: date-time */
            updatedAt: string;
        };
        OrganizationPage: {
            items: components["schemas"]["OrganizationView"][];
            nextCursor: string | null;
        };
        OrganizationView: {
            /** Format: date-time */
            createdAt: string;
            id: string;
            /** @description People of this tenant in the organisation */
            memberCount: number;
            name: string;
            /** @description Sites the organisation operates */
            siteCount: number;
            /** Format: date-time */
            updatedAt: string;
        };
        PolicyHeadList: {
            items: components["schemas"]["PolicyHeadView"][];
        };
        PolicyHeadView: {
            /** Format: date-time */
            createdAt: string;
            scope: string;
            version: number;
        };
        PolicyIssueView: {
            message: string;
            /** @example categories.inspection_images.egress.allow[1] */
            path: string;
            /** @enum {string} */
            severity?: "error" | "warning";
        };
        PolicyVersionList: {
            items: components["schemas"]["PolicyVersionView"][];
        };
        PolicyVersionView: {
            comment: string | null;
            /** Format: date-time */
            createdAt: string;
            createdBy: string | null;
            document: {
                [key: string]: unknown;
            };
            /**
             * @description "base" or a country code
             * @example CL
             */
            scope: string;
            version: number;
        };
        Problem: {
            /** @description Stable machine-readable reason, e.g. validation, invalid-policy, forbidden */
            code?: string;
            detail?: string;
            /** @description Field-level problems; path names the offending input, e.g. document.categories.x.retentionDays */
            errors?: {
                message: string;
                path: string;
            }[];
            instance?: string;
            requestId?: string;
            status: number;
            title: string;
            type: string;
        };
        PublishDto: {
            /** @description Only sites in these countries (default: every site) */
            countries?: string[];
        };
        RefreshDto: {
            refreshToken: string;
        };
        ReportedModelView: {
            modelId: string;
            state: string;
            version: string;
        };
        ReportedStateView: {
            auditPendingEvents?: number;
            inference?: {
                denied?: number;
                errors?: number;
                requests?: number;
            };
            models?: components["schemas"]["ReportedModelView"][];
            policyDigest?: string;
            /** @description Policy bundle version the agent runs */
            policyVersion?: number;
            uptimeSeconds?: number;
        };
        ResetPasswordDto: {
            /** @description A temporary password to hand to the person, at least 12 characters; they change it on the Account page */
            newPassword: string;
        };
        /** @enum {string} */
        Role: "platform_admin" | "vendor_admin" | "vendor_engineer" | "integrator_admin" | "integrator_viewer" | "auditor";
        RollbackRolloutDto: {
            /** @example operators report false alarms on line B */
            reason?: string;
        };
        RolloutList: {
            items: components["schemas"]["RolloutView"][];
        };
        RolloutNodePage: {
            items: components["schemas"]["RolloutNodeView"][];
            nextAfter: string | null;
        };
        RolloutNodeView: {
            batch: number;
            country: string;
            detail: string | null;
            name: string;
            nodeId: string;
            /** @description Version the node goes back to on rollback */
            previousVersion: string | null;
            siteId: string;
            /** @description Whether the node's batch has started */
            started: boolean;
            /** @enum {string} */
            state: "pending" | "downloading" | "verifying" | "activating" | "active" | "failed" | "rolled_back";
            /** Format: date-time */
            updatedAt: string;
        };
        RolloutProgressView: {
            batches: components["schemas"]["BatchView"][];
            /** @description Touched nodes by state */
            counts: components["schemas"]["StateCountsView"];
            /** Format: date-time */
            createdAt: string;
            /** @description 0 until the canary starts */
            currentBatch: number;
            /** Format: date-time */
            finishedAt: string | null;
            gateResults: components["schemas"]["GateResultView"][];
            id: string;
            modelId: string;
            /** @description Share of all target nodes active on the version, 0-100 */
            percentActive: number;
            reason: string | null;
            selector: {
                [key: string]: unknown;
            };
            /** @enum {string} */
            status: "running" | "paused" | "completed" | "rolled_back" | "aborted";
            strategy: {
                [key: string]: unknown;
            };
            totalBatches: number;
            totalNodes: number;
            /** @description Nodes whose batch has started */
            touchedNodes: number;
            version: string;
        };
        RolloutView: {
            /** Format: date-time */
            createdAt: string;
            /** @description 0 until the canary starts */
            currentBatch: number;
            /** Format: date-time */
            finishedAt: string | null;
            id: string;
            modelId: string;
            reason: string | null;
            selector: {
                [key: string]: unknown;
            };
            /** @enum {string} */
            status: "running" | "paused" | "completed" | "rolled_back" | "aborted";
            strategy: {
                [key: string]: unknown;
            };
            totalBatches: number;
            version: string;
        };
        RotationView: {
            activeKeyId: string;
            /** @description Compilation job that announces the new key to every site */
            jobId: string;
            retiredKeyId: string | null;
        };
        SavedPolicyView: {
            comment: string | null;
            /** Format: date-time */
            createdAt: string;
            createdBy: string | null;
            document: {
                [key: string]: unknown;
            };
            /**
             * @description "base" or a country code
             * @example CL
             */
            scope: string;
            version: number;
            /** @description Loosening of the base and other things worth a second look */
            warnings: components["schemas"]["PolicyIssueView"][];
        };
        SaveModelVersionDto: {
            /** @description Model card (@meridian/models modelCardSchema): task, intendedUse, inputCategories, inputs, outputs, trainingData, exportClassification, … */
            card: {
                [key: string]: unknown;
            };
        };
        SavePolicyDto: {
            /** @example Tighten image egress for CL */
            comment?: string;
            /** @description The policy document: an object, or its JSON or YAML text */
            document: Record<string, never> | string;
        };
        SessionView: {
            accessToken: string;
            /** @description Seconds until the access token expires */
            expiresIn: number;
            memberships: components["schemas"]["MembershipView"][];
            /** @description Single use: each refresh returns a new one */
            refreshToken: string;
            role: components["schemas"]["Role"];
            tenantId: string;
            /** @example Bearer */
            tokenType: string;
        };
        SigningKeyList: {
            items: components["schemas"]["SigningKeyView"][];
        };
        SigningKeyView: {
            keyId: string;
            /** @description Raw Ed25519 public key, base64 */
            publicKey: string;
            /** @enum {string} */
            status: "active" | "retired";
        };
        SimulateDto: {
            /** @enum {string} */
            action: "infer" | "store" | "egress";
            /** @example inspection_images */
            category: string;
            /** @description Try other consent flags than the site has */
            consent?: {
                [key: string]: boolean;
            };
            /** @example vendor_cloud:eu */
            destination?: string;
            /** @example country */
            location?: string;
            siteId: string;
        };
        SitePage: {
            items: components["schemas"]["SiteView"][];
            nextCursor: string | null;
        };
        SitePolicyStatusView: {
            country: string;
            latestDigest: string | null;
            latestVersion: number | null;
            nodes: components["schemas"]["NodePolicyStatusView"][];
            /** Format: date-time */
            publishedAt: string | null;
            siteId: string;
        };
        SiteView: {
            country: string;
            /** Format: date-time */
            createdAt: string;
            id: string;
            integratorOrgId: string | null;
            name: string;
            nodeCount: number;
            region: string | null;
            /** Format: date-time */
            updatedAt: string;
        };
        StateCountsView: {
            activating: number;
            active: number;
            downloading: number;
            failed: number;
            pending: number;
            rolled_back: number;
            verifying: number;
        };
        SwitchTenantDto: {
            tenantId: string;
        };
        TenantPage: {
            items: components["schemas"]["TenantView"][];
            nextCursor: string | null;
        };
        TenantView: {
            /** Format: date-time */
            createdAt: string;
            id: string;
            name: string;
            slug: string;
            /** Format: date-time */
            updatedAt: string;
        };
        UpdateNodeDto: {
            /**
             * @example {
             *       "line": "A",
             *       "camera": "true"
             *     }
             */
            labels?: {
                [key: string]: string;
            };
            name?: string;
        };
        UpdateOrganizationDto: {
            name?: string;
        };
        UpdateSiteDto: {
            country?: string;
            integratorOrgId?: string | null;
            name?: string;
            region?: string | null;
        };
        UpdateTenantDto: {
            name?: string;
        };
        UpdateUserDto: {
            displayName?: string;
            integratorOrgId?: string | null;
            role?: components["schemas"]["Role"];
        };
        UserPage: {
            items: components["schemas"]["UserView"][];
            nextCursor: string | null;
        };
        UserView: {
            /**
             * Format: date-time
             * @description When the user joined this tenant
             */
            createdAt: string;
            displayName: string;
            email: string;
            id: string;
            integratorOrgId: string | null;
            membershipId: string;
            role: components["schemas"]["Role"];
        };
        VerificationView: {
            checkpoint?: components["schemas"]["CheckpointView"] | null;
            events?: number;
            ok: boolean;
            reason?: string;
            seq?: number;
            /** @description The first event that fails: source and seq */
            sourceId?: string;
            sources?: number;
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    Health_health: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Problem details (RFC 9457) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    Metrics_scrape: {
        parameters: {
            query?: never;
            header: {
                authorization: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Problem details (RFC 9457) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    Health_ready: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Problem details (RFC 9457) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    ApiKeys_list: {
        parameters: {
            query?: {
                /** @description Opaque cursor from the previous page (nextCursor) */
                cursor?: string;
                limit?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiKeyPage"];
                };
            };
            /** @description Problem details (RFC 9457) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    ApiKeys_create: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateApiKeyDto"];
            };
        };
        responses: {
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CreatedApiKeyView"];
                };
            };
            /** @description Problem details (RFC 9457) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    ApiKeys_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiKeyView"];
                };
            };
            /** @description Problem details (RFC 9457) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    ApiKeys_revoke: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Problem details (RFC 9457) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    Audit_checkpoints: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CheckpointList"];
                };
            };
            /** @description Problem details (RFC 9457) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    Audit_requestCheckpoint: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobView"];
                };
            };
            /** @description Problem details (RFC 9457) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    Audit_events: {
        parameters: {
            query?: {
                actor?: string;
                category?: string;
                /** @description nextCursor of the previous page */
                cursor?: string;
                decision?: string;
                from?: string;
                limit?: number;
                siteId?: string;
                /** @description node id, or "control-plane" */
                sourceId?: string;
                to?: string;
                /** @description event type, or up to 10 types separated by commas */
                type?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Newest first; filter by source, site, category, decision, actor, type, time */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AuditEventPage"];
                };
            };
            /** @description Problem details (RFC 9457) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    Audit_event: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                seq: number;
                sourceId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The event, whether its hash still matches, and its inclusion proof against the latest checkpoint */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AuditEventDetailView"];
                };
            };
            /** @description Problem details (RFC 9457) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    Audit_exportNow: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The meridian.audit-export.v3 bundle (JSON Lines, uncompressed; each line holds one member of AuditExportLineView), read from the log within the request and streamed as it is read, never built in memory. A convenience for small logs: the request holds a read transaction (and a database connection) for at most 5 minutes, and a response cut short lacks the end line, which the verifier reports. For large logs use POST /v1/audit/exports (built by the worker, downloaded gzip-compressed). Verify with `meridian audit verify` */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {"format":"meridian.audit-export.v3",…}
                     *     {"signingKey":{…}}
                     *     {"checkpoint":{…}}
                     *     {"event":{…}}
                     *     {"end":{…}}
                     */
                    "application/x-ndjson": components["schemas"]["AuditExportLineView"];
                };
            };
            /** @description Problem details (RFC 9457) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    AuditExports_listExports: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AuditExportList"];
                };
            };
            /** @description Problem details (RFC 9457) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    AuditExports_requestExport: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Queued; follow progress at GET /v1/audit/exports/:id */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AuditExportView"];
                };
            };
            /** @description Problem details (RFC 9457) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    AuditExports_getExport: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AuditExportView"];
                };
            };
            /** @description Problem details (RFC 9457) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    AuditExports_downloadExport: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The bundle file, streamed: `meridian-audit-<id>.jsonl.gz` (application/gzip), the meridian.audit-export.v3 bundle as gzip-compressed JSON Lines. X-Content-SHA256 (and the export view's sha256) is the sha256 of the uncompressed file, i.e. after gunzip. Exports made before v3 download as before: `meridian-audit-<id>.json` (application/json, meridian.audit-export.v2), whose sha256 is of the file as downloaded. Verify either with `meridian audit verify <file>`. */
            200: {
                headers: {
                    /** @description sha256 (hex) of the uncompressed bundle */
                    "X-Content-SHA256"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/gzip": string;
                    "application/json": string;
                };
            };
            /** @description Problem details (RFC 9457) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    AuditExports_downloadLink: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A link to the completed export's file that works once, within 60 s, without an Authorization header: for browsers, which then save the file to disk as it streams */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AuditExportDownloadLink"];
                };
            };
            /** @description Problem details (RFC 9457) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    AuditExports_downloadByLink: {
        parameters: {
            query: {
                /** @description From POST /v1/audit/exports/:id/download-link */
                token: string;
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The same file as GET /v1/audit/exports/:id/download */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/gzip": string;
                    "application/json": string;
                };
            };
            /** @description Problem details (RFC 9457) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    Audit_consistency: {
        parameters: {
            query: {
                from: number;
                to: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ConsistencyProofView"];
                };
            };
            /** @description Problem details (RFC 9457) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    AuditVerifications_requestVerification: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The same verification as GET /v1/audit/verify, as a worker job; GET /v1/audit/verifications/:id gives its state and, once completed, its result (a VerificationView) */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobView"];
                };
            };
            /** @description Problem details (RFC 9457) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    AuditVerifications_verification: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A verification job: its state and, once completed, its result (a VerificationView: ok, events, sources, or the first bad event and why) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobView"];
                };
            };
            /** @description Problem details (RFC 9457) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    Audit_verify: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Re-verifies every chain and the latest checkpoint from the stored rows, within the request (about 20 s at a million events); names the first bad event. For large logs use POST /v1/audit/verifications */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["VerificationView"];
                };
            };
            /** @description Problem details (RFC 9457) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    Auth_login: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["LoginDto"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SessionView"];
                };
            };
            /** @description Too many failed logins for this account or from this address; Retry-After says when to try again */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Problem details (RFC 9457) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    Auth_logout: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["RefreshDto"];
            };
        };
        responses: {
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Problem details (RFC 9457) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    Auth_me: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MeView"];
                };
            };
            /** @description Problem details (RFC 9457) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    Auth_changePassword: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ChangePasswordDto"];
            };
        };
        responses: {
            /** @description Changed; the person's other sessions have ended, this one stays open */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description The current password is not right, or the caller is an API key */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Too many wrong passwords for this account or from this address */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Problem details (RFC 9457) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    Auth_refresh: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["RefreshDto"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SessionView"];
                };
            };
            /** @description Problem details (RFC 9457) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    Auth_switchTenant: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["SwitchTenantDto"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SessionView"];
                };
            };
            /** @description Problem details (RFC 9457) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    EnrollmentTokens_list: {
        parameters: {
            query?: {
                /** @description Opaque cursor from the previous page (nextCursor) */
                cursor?: string;
                limit?: number;
                siteId?: string;
                status?: components["schemas"]["EnrollmentTokenStatus"];
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["EnrollmentTokenPage"];
                };
            };
            /** @description Problem details (RFC 9457) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    EnrollmentTokens_create: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateEnrollmentTokenDto"];
            };
        };
        responses: {
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CreatedEnrollmentTokenView"];
                };
            };
            /** @description Problem details (RFC 9457) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    EnrollmentTokens_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["EnrollmentTokenView"];
                };
            };
            /** @description Problem details (RFC 9457) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    EnrollmentTokens_revoke: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Problem details (RFC 9457) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    Jobs_list: {
        parameters: {
            query?: {
                limit?: number;
                /** @description failed = the dead-letter view: jobs that used up their retries */
                state?: "waiting" | "active" | "completed" | "failed" | "delayed" | "prioritized" | "waiting-children";
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description This tenant’s jobs in one state; state=failed is the dead-letter view */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobList"];
                };
            };
            /** @description Problem details (RFC 9457) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    Jobs_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobView"];
                };
            };
            /** @description Problem details (RFC 9457) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    Jobs_retry: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobView"];
                };
            };
            /** @description Problem details (RFC 9457) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    Jobs_expireEnrollmentTokens: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Queued; the worker marks this tenant’s lapsed enrollment tokens expired */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobView"];
                };
            };
            /** @description Problem details (RFC 9457) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    Models_list: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ModelList"];
                };
            };
            /** @description Problem details (RFC 9457) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    Models_create: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateModelDto"];
            };
        };
        responses: {
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ModelView"];
                };
            };
            /** @description Problem details (RFC 9457) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    Models_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ModelDetailView"];
                };
            };
            /** @description Problem details (RFC 9457) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    Models_version: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
                version: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ModelVersionView"];
                };
            };
            /** @description Problem details (RFC 9457) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    Models_save: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
                version: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["SaveModelVersionDto"];
            };
        };
        responses: {
            /** @description Creates the draft version with its card, or replaces the card of a draft; a published version answers 409 */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ModelVersionView"];
                };
            };
            /** @description Problem details (RFC 9457) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    Models_upload: {
        parameters: {
            query?: never;
            header?: {
                /** @description sha256 (hex) of the body: the upload is refused when the bytes differ */
                "x-artifact-sha256"?: string;
            };
            path: {
                id: string;
                version: string;
            };
            cookie?: never;
        };
        /** @description The ONNX file as the raw body; streamed to the artifact store, never buffered */
        requestBody: {
            content: {
                "application/octet-stream": string;
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ModelVersionView"];
                };
            };
            /** @description Problem details (RFC 9457) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    Models_publish: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
                version: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Signs the manifest with the tenant key; the version is immutable from then on */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ModelVersionView"];
                };
            };
            /** @description Problem details (RFC 9457) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    Nodes_list: {
        parameters: {
            query?: {
                country?: string;
                /** @description Opaque cursor from the previous page (nextCursor) */
                cursor?: string;
                limit?: number;
                siteId?: string;
                status?: components["schemas"]["NodeStatus"];
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["NodePage"];
                };
            };
            /** @description Problem details (RFC 9457) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    Nodes_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["NodeView"];
                };
            };
            /** @description Problem details (RFC 9457) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    Nodes_remove: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Problem details (RFC 9457) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    Nodes_update: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["UpdateNodeDto"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["NodeView"];
                };
            };
            /** @description Problem details (RFC 9457) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    Nodes_revoke: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["NodeView"];
                };
            };
            /** @description Problem details (RFC 9457) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    Organizations_list: {
        parameters: {
            query?: {
                /** @description Opaque cursor from the previous page (nextCursor) */
                cursor?: string;
                limit?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OrganizationPage"];
                };
            };
            /** @description Problem details (RFC 9457) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    Organizations_create: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateOrganizationDto"];
            };
        };
        responses: {
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OrganizationView"];
                };
            };
            /** @description Problem details (RFC 9457) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    Organizations_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OrganizationView"];
                };
            };
            /** @description Problem details (RFC 9457) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    Organizations_remove: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Problem details (RFC 9457) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    Organizations_update: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["UpdateOrganizationDto"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OrganizationView"];
                };
            };
            /** @description Problem details (RFC 9457) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    Policies_heads: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Latest version of the base policy and of each country overlay */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PolicyHeadList"];
                };
            };
            /** @description Problem details (RFC 9457) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    Policies_save: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                scope: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["SavePolicyDto"];
            };
        };
        responses: {
            /** @description Saves a new version of "base" or of a country overlay ("CL"); publish separately */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SavedPolicyView"];
                };
            };
            /** @description Problem details (RFC 9457) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    Policies_diff: {
        parameters: {
            query: {
                from: number;
                to: number;
            };
            header?: never;
            path: {
                scope: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DiffView"];
                };
            };
            /** @description Problem details (RFC 9457) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    Policies_versions: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                scope: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PolicyVersionList"];
                };
            };
            /** @description Problem details (RFC 9457) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    Policies_version: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                scope: string;
                version: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PolicyVersionView"];
                };
            };
            /** @description Problem details (RFC 9457) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    Policies_publish: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["PublishDto"];
            };
        };
        responses: {
            /** @description Compiles, signs and pushes the bundles of the affected sites */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobView"];
                };
            };
            /** @description Problem details (RFC 9457) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    Policies_simulate: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["SimulateDto"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DecisionView"];
                };
            };
            /** @description Problem details (RFC 9457) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    Rollouts_list: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RolloutList"];
                };
            };
            /** @description Problem details (RFC 9457) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    Rollouts_create: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateRolloutDto"];
            };
        };
        responses: {
            /** @description Plans the rollout (targets, canary, batches) and starts it; the worker runs it */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RolloutProgressView"];
                };
            };
            /** @description Problem details (RFC 9457) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    Rollouts_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Progress: nodes per state and batch, gate results */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RolloutProgressView"];
                };
            };
            /** @description Problem details (RFC 9457) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    Rollouts_abort: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["AbortRolloutDto"];
            };
        };
        responses: {
            /** @description Stops the rollout; with rollback, the nodes it reached go back to their previous version */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RolloutProgressView"];
                };
            };
            /** @description Problem details (RFC 9457) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    Rollouts_nodes: {
        parameters: {
            query?: {
                /** @description nextAfter of the previous page */
                after?: string;
                batch?: number;
                limit?: number;
                state?: "pending" | "downloading" | "verifying" | "activating" | "active" | "failed" | "rolled_back";
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Nodes of the rollout with their state (integrators: their sites only) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RolloutNodePage"];
                };
            };
            /** @description Problem details (RFC 9457) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    Rollouts_pause: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description No new batch starts; nodes already on their way carry on */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RolloutProgressView"];
                };
            };
            /** @description Problem details (RFC 9457) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    Rollouts_resume: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RolloutProgressView"];
                };
            };
            /** @description Problem details (RFC 9457) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    Rollouts_rollback: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["RollbackRolloutDto"];
            };
        };
        responses: {
            /** @description Sends the nodes the rollout reached back to their previous version */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RolloutProgressView"];
                };
            };
            /** @description Problem details (RFC 9457) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    SigningKeys_list: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Public keys the tenant signs bundles with (auditors verify with these) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SigningKeyList"];
                };
            };
            /** @description Problem details (RFC 9457) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    SigningKeys_rotate: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RotationView"];
                };
            };
            /** @description Problem details (RFC 9457) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    Sites_list: {
        parameters: {
            query?: {
                country?: string;
                /** @description Opaque cursor from the previous page (nextCursor) */
                cursor?: string;
                limit?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SitePage"];
                };
            };
            /** @description Problem details (RFC 9457) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    Sites_create: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateSiteDto"];
            };
        };
        responses: {
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SiteView"];
                };
            };
            /** @description Problem details (RFC 9457) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    Sites_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SiteView"];
                };
            };
            /** @description Problem details (RFC 9457) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    Sites_remove: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Problem details (RFC 9457) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    Sites_update: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["UpdateSiteDto"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SiteView"];
                };
            };
            /** @description Problem details (RFC 9457) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    SiteGovernance_getConsent: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ConsentView"];
                };
            };
            /** @description Problem details (RFC 9457) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    SiteGovernance_setConsent: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ConsentDto"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ConsentView"];
                };
            };
            /** @description Problem details (RFC 9457) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    SiteGovernance_policyStatus: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Latest bundle of the site and which nodes run it */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SitePolicyStatusView"];
                };
            };
            /** @description Problem details (RFC 9457) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    Tenants_list: {
        parameters: {
            query?: {
                /** @description Opaque cursor from the previous page (nextCursor) */
                cursor?: string;
                limit?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Your tenant; every tenant for platform admins */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TenantPage"];
                };
            };
            /** @description Problem details (RFC 9457) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    Tenants_create: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateTenantDto"];
            };
        };
        responses: {
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TenantView"];
                };
            };
            /** @description Problem details (RFC 9457) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    Tenants_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TenantView"];
                };
            };
            /** @description Problem details (RFC 9457) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    Tenants_remove: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Problem details (RFC 9457) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    Tenants_update: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["UpdateTenantDto"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TenantView"];
                };
            };
            /** @description Problem details (RFC 9457) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    Users_list: {
        parameters: {
            query?: {
                /** @description Opaque cursor from the previous page (nextCursor) */
                cursor?: string;
                limit?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UserPage"];
                };
            };
            /** @description Problem details (RFC 9457) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    Users_create: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateUserDto"];
            };
        };
        responses: {
            /** @description Creates an account and its membership in this tenant */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UserView"];
                };
            };
            /** @description Problem details (RFC 9457) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    Users_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UserView"];
                };
            };
            /** @description Problem details (RFC 9457) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    Users_remove: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Problem details (RFC 9457) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    Users_update: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["UpdateUserDto"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UserView"];
                };
            };
            /** @description Problem details (RFC 9457) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    Users_resetPassword: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ResetPasswordDto"];
            };
        };
        responses: {
            /** @description Set; the person's sessions have ended everywhere. Tenant admins may reset people who belong to this tenant only */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Your own password (change it with POST /v1/auth/password), or a person of other tenants too or a platform admin (a platform admin resets theirs) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Problem details (RFC 9457) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    Users_addMember: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["AddMemberDto"];
            };
        };
        responses: {
            /** @description Adds an existing account (of another tenant) to this tenant */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UserView"];
                };
            };
            /** @description Problem details (RFC 9457) */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
}
