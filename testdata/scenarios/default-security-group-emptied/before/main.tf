resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}

# Adopted with the rules AWS gives every default SG: all traffic from
# members of the group itself, all traffic out to anywhere.
resource "aws_default_security_group" "default" {
  vpc_id = aws_vpc.main.id

  ingress {
    protocol  = "-1"
    self      = true
    from_port = 0
    to_port   = 0
  }

  egress {
    protocol    = "-1"
    from_port   = 0
    to_port     = 0
    cidr_blocks = ["0.0.0.0/0"]
  }
}
