# Only images from our registry: every container (init containers and
# sidecars included) runs an image of account 111122223333's ECR.
package palisade.rules.our_registry

__rego_metadata__ := {
	"id": "ORG002",
	"title": "Container image not from our registry",
	"severity": "high",
	"practices": ["K8S-09"],
	"description": "Images from outside our ECR registry escape our scanning, signing and retention policies, and can change under the same tag.",
	"remediation": "Push the image to 111122223333.dkr.ecr.<region>.amazonaws.com (pull-through cache for third-party images) and reference it there.",
}

registry := "111122223333.dkr.ecr."

deny contains finding if {
	some w in input.k8s.workloads
	some c in w.template.spec.containers
	c.image.state != "unknown"
	not startswith(c.image.value, registry)
	finding := {
		"resource": w.meta.address,
		"message": sprintf("container `%s` runs `%s`, not an image of %s*", [c.name, c.image.value, registry]),
		"location": object.get(c.image, "loc", c.loc),
	}
}
