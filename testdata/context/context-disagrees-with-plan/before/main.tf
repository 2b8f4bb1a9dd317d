# A group this configuration manages, and a rule it adds to the shared web group.

variable "vpc_id" { type = string }
variable "web_sg_id" { type = string }

resource "aws_security_group" "app" {
  name        = "app"
  description = "app servers"
  vpc_id      = var.vpc_id

  ingress {
    protocol    = "tcp"
    from_port   = 8000
    to_port     = 8000
    cidr_blocks = ["10.0.0.0/16"]
  }
}

resource "aws_security_group_rule" "legacy" {
  type              = "ingress"
  security_group_id = var.web_sg_id
  protocol          = "tcp"
  from_port         = 9000
  to_port           = 9000
  cidr_blocks       = ["10.0.0.0/8"]
}
