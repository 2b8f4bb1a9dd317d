# The legacy rule goes; another comes, open to the world.

variable "web_sg_id" { type = string }

resource "aws_security_group_rule" "alt_https" {
  type              = "ingress"
  security_group_id = var.web_sg_id
  protocol          = "tcp"
  from_port         = 8443
  to_port           = 8443
  cidr_blocks       = ["0.0.0.0/0"]
}
