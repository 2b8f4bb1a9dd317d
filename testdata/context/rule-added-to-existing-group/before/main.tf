# A rule this configuration adds to the shared web group, which it does not manage.

variable "web_sg_id" { type = string }

resource "aws_security_group_rule" "legacy" {
  type              = "ingress"
  security_group_id = var.web_sg_id
  protocol          = "tcp"
  from_port         = 9000
  to_port           = 9000
  cidr_blocks       = ["10.0.0.0/8"]
}
