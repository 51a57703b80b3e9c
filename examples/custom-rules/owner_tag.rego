# Every taggable AWS resource carries an `owner` tag.
#
# Reads `meta.tags` of every AWS resource of the model: present only on
# resource types that can be tagged; `unknown` when the tags cannot be
# known statically (then nothing is reported: palisade never guesses).
package palisade.rules.owner_tag

__rego_metadata__ := {
	"id": "ORG001",
	"title": "Taggable AWS resource without an `owner` tag",
	"severity": "medium",
	"practices": ["IAM-07"],
	"description": "Every resource must say which team owns it, so that alerts, costs and incidents reach someone, and so that tag-based guardrails (SCPs, ABAC) apply to it.",
	"remediation": "Add an `owner` tag (`tags = { owner = \"team-name\" }`), or set it once for the whole configuration in the AWS provider's `default_tags` (scan a plan to see those).",
}

deny contains finding if {
	some resources in input.aws
	some r in resources
	tags := r.meta.tags
	tags.state != "unknown"
	not has_owner(tags.value)
	finding := {
		"resource": r.meta.address,
		"message": sprintf("%s `%s` has no `owner` tag", [r.meta.kind, r.meta.address]),
		# The `tags` attribute when it is written, else the resource.
		"location": object.get(tags, "loc", r.meta.loc),
	}
}

# A non-empty owner, or one only known at apply time.
has_owner(tags) if tags.owner.state == "unknown"

has_owner(tags) if trim_space(tags.owner.value) != ""
