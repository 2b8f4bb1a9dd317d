resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}

# CIS: the default security group restricts all traffic. Deleting the blocks
# would plan no change (the attributes are computed), so say it explicitly.
resource "aws_default_security_group" "default" {
  vpc_id = aws_vpc.main.id

  ingress = []
  egress  = []
}
