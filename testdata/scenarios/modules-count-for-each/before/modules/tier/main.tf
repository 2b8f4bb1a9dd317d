variable "name" {
  type = string
}

variable "vpc_id" {
  type = string
}

# One security group per service, each with one ingress rule.
variable "services" {
  type = map(object({
    port  = number
    cidrs = list(string)
  }))
}

variable "node_count" {
  type = number
}

resource "aws_security_group" "svc" {
  for_each    = var.services
  name        = "${var.name}-${each.key}"
  description = "${var.name} ${each.key}"
  vpc_id      = var.vpc_id
}

resource "aws_security_group_rule" "svc_in" {
  for_each          = var.services
  type              = "ingress"
  security_group_id = aws_security_group.svc[each.key].id
  protocol          = "tcp"
  from_port         = each.value.port
  to_port           = each.value.port
  cidr_blocks       = each.value.cidrs
}

# Node groups, reachable for metrics scraping from the "api" service group.
resource "aws_security_group" "node" {
  count       = var.node_count
  name        = "${var.name}-node-${count.index}"
  description = "${var.name} node ${count.index}"
  vpc_id      = var.vpc_id
}

resource "aws_security_group_rule" "node_metrics" {
  count                    = var.node_count
  type                     = "ingress"
  security_group_id        = aws_security_group.node[count.index].id
  protocol                 = "tcp"
  from_port                = 9100
  to_port                  = 9100
  source_security_group_id = aws_security_group.svc["api"].id
}

output "svc_ids" {
  value = { for k, sg in aws_security_group.svc : k => sg.id }
}
