import type { BasePolicy, CountryOverlay } from './document';

/**
 * Example policies for the demo plants. EXAMPLES ONLY: they show how rules are expressed; they are
 * not statements of what Indonesian, Chilean or any other law requires.
 */
export const EXAMPLE_BASE_POLICY: BasePolicy = {
  apiVersion: 'meridian.dev/v1',
  kind: 'BasePolicy',
  description: 'EXAMPLE ONLY, not legal advice: a cautious default for vendor-operated lines.',
  categories: {
    equipment_telemetry: { residency: ['site', 'country'], egress: { allow: ['control_plane', 'vendor_cloud:*'] }, provenance: 'metadata', retentionDays: 90 },
    process_parameters: {
      residency: ['site'],
      egress: { allow: ['vendor_cloud:*'] },
      consent: { required: ['vendor_remote_diagnostics'] },
      provenance: 'content_hash',
      retentionDays: 30,
      redaction: { hash: ['recipe_id'] },
    },
    inspection_images: { residency: ['site'], egress: { allow: ['vendor_cloud:*'] }, provenance: 'content_hash', retentionDays: 30, redaction: { drop: ['operator_badge'] } },
    operator_identity: { residency: ['site'], egress: { allow: [] }, provenance: 'content_hash', retentionDays: 7 },
    model_outputs: { residency: ['site', 'country'], egress: { allow: ['control_plane', 'vendor_cloud:*'] }, provenance: 'metadata', retentionDays: 90 },
  },
};

/** EXAMPLE ONLY: a strict in-country overlay — inspection images and telemetry stay in the country. */
export const EXAMPLE_STRICT_IN_COUNTRY_OVERLAY: CountryOverlay = {
  apiVersion: 'meridian.dev/v1',
  kind: 'CountryOverlay',
  country: 'ID',
  description: 'EXAMPLE ONLY, not legal advice: keep images in-country, telemetry only to the control plane.',
  categories: {
    inspection_images: { egress: { allow: [] } },
    equipment_telemetry: { egress: { allow: ['control_plane'] } },
  },
};

/** EXAMPLE ONLY: a consent-gated diagnostics overlay — the vendor sees telemetry only when the plant agrees. */
export const EXAMPLE_CONSENT_GATED_OVERLAY: CountryOverlay = {
  apiVersion: 'meridian.dev/v1',
  kind: 'CountryOverlay',
  country: 'CL',
  description: 'EXAMPLE ONLY, not legal advice: remote diagnostics need the plant\u2019s consent.',
  categories: {
    equipment_telemetry: { consent: { required: ['vendor_remote_diagnostics'], appliesTo: ['egress'] } },
  },
};
