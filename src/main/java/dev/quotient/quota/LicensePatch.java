package dev.quotient.quota;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A license's pod patches, kept with the license name so a patch that fails can be reported against
 * the license that carries it.
 *
 * @param strategicMerge the license's podPatch (may be null)
 * @param jsonPatch the license's RFC 6902 podJsonPatch operations (may be null)
 */
public record LicensePatch(String license, JsonNode strategicMerge, JsonNode jsonPatch) {}
